const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 240;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/**
 * A dependency-free SVG line chart of the training loss. The plotted values are also kept in the
 * element's `data-losses` attribute (JSON), which is what the end-to-end test reads.
 */
export class LossChart {
  private readonly losses: number[] = [];
  private readonly line: SVGPolylineElement;
  private readonly yTop: SVGTextElement;
  private readonly yBottom: SVGTextElement;
  private readonly xRight: SVGTextElement;

  constructor(private readonly svg: SVGSVGElement) {
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.replaceChildren();
    const plot = { x1: PAD.left, x2: WIDTH - PAD.right, y1: PAD.top, y2: HEIGHT - PAD.bottom };
    this.element('line', { x1: plot.x1, y1: plot.y2, x2: plot.x2, y2: plot.y2, class: 'axis' });
    this.element('line', { x1: plot.x1, y1: plot.y1, x2: plot.x1, y2: plot.y2, class: 'axis' });
    this.yTop = this.label(PAD.left - 6, PAD.top + 4, 'end');
    this.yBottom = this.label(PAD.left - 6, HEIGHT - PAD.bottom, 'end');
    this.label(PAD.left, HEIGHT - 8, 'start').textContent = 'step 1';
    this.xRight = this.label(WIDTH - PAD.right, HEIGHT - 8, 'end');
    this.label(WIDTH - PAD.right, PAD.top + 4, 'end').textContent =
      'training loss (next-token cross-entropy)';
    this.line = this.element('polyline', { class: 'loss-line', fill: 'none' });
    this.render();
  }

  get values(): readonly number[] {
    return this.losses;
  }

  push(loss: number): void {
    this.losses.push(loss);
    this.render();
  }

  clear(): void {
    this.losses.length = 0;
    this.render();
  }

  private render(): void {
    this.svg.dataset.losses = JSON.stringify(this.losses);
    const n = this.losses.length;
    const lo = Math.min(...this.losses);
    const hi = Math.max(...this.losses);
    // A flat or single-point series still needs a non-zero range to scale by.
    const span = hi - lo || 1;
    const width = WIDTH - PAD.left - PAD.right;
    const height = HEIGHT - PAD.top - PAD.bottom;
    const points = this.losses.map((loss, i) => {
      const x = PAD.left + (n === 1 ? 0 : (i / (n - 1)) * width);
      const y = PAD.top + ((hi - loss) / span) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    this.line.setAttribute('points', points.join(' '));
    this.yTop.textContent = n ? hi.toFixed(2) : '';
    this.yBottom.textContent = n ? lo.toFixed(2) : '';
    this.xRight.textContent = n > 1 ? `step ${n}` : '';
  }

  private element<K extends keyof SVGElementTagNameMap>(
    tag: K,
    attributes: Record<string, string | number>,
  ): SVGElementTagNameMap[K] {
    const el = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
    this.svg.append(el);
    return el;
  }

  private label(x: number, y: number, anchor: 'start' | 'end'): SVGTextElement {
    return this.element('text', { x, y, 'text-anchor': anchor, class: 'tick' });
  }
}
