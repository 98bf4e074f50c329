import type { EdgeCurve } from './edge-curves.js';
import type { Rgb, Scene, Shape } from './scene.js';

export interface Heatmaps {
  /** Cells per side; values row-major with row 0 at y = +1 (the top), column 0 at x = -1. */
  resolution: number;
  target: Float32Array;
  fit: Float32Array;
}

export interface FigureInput {
  title: string;
  subtitle: string;
  /** Hidden width of the KAN `[2, hidden, 1]`. */
  hidden: number;
  curves: EdgeCurve[];
  heatmaps: Heatmaps;
}

const INK: Rgb = [34, 34, 34];
const MUTED: Rgb = [120, 120, 120];
const FRAME: Rgb = [200, 200, 200];
const CURVE: Rgb = [28, 78, 160];
const PANEL = { width: 150, height: 96, gap: 24, label: 16 };
const MAP = { size: 180, gap: 40, caption: 18 };
const MARGIN = 24;

/** The units of a KAN `[2, hidden, 1]` by layer: x, y; h1…; f. */
export function nodeNames(hidden: number): string[][] {
  return [['x', 'y'], Array.from({ length: hidden }, (_, j) => `h${j + 1}`), ['f']];
}

/**
 * The figure: target, fit and error as heatmaps, then one small plot per edge. A hidden unit's
 * column shows what flows into it (from x and from y) and, below, what it sends to the output.
 * A curve's opacity is its edge's importance, as in the KAN paper's plots.
 */
export function buildFigure(input: FigureInput): Scene {
  const hidden = input.hidden;
  const names = nodeNames(hidden);
  const shapes: Shape[] = [
    text(MARGIN, 32, input.title, 18, INK),
    text(MARGIN, 52, input.subtitle, 12, MUTED),
  ];
  let y = 72;
  y = drawHeatmaps(shapes, input.heatmaps, y);
  const sections = [
    { layer: 0, heading: 'layer 1: what each hidden unit hⱼ does to x and to y', rows: 2 },
    { layer: 1, heading: 'layer 2: what each hidden unit contributes to f', rows: 1 },
  ];
  for (const section of sections) {
    shapes.push(text(MARGIN, y + 18, section.heading, 14, INK));
    y += 30;
    for (const curve of input.curves.filter((c) => c.layer === section.layer)) {
      // Columns are hidden units: the edge's target in layer 1, its source in layer 2.
      const column = section.layer === 0 ? curve.to : curve.from;
      const row = section.layer === 0 ? curve.from : curve.to;
      const left = MARGIN + column * (PANEL.width + PANEL.gap);
      const top = y + row * (PANEL.height + PANEL.gap + PANEL.label);
      const label = `${names[curve.layer][curve.from]} → ${names[curve.layer + 1][curve.to]}`;
      drawEdge(shapes, curve, left, top, label);
    }
    y += section.rows * (PANEL.height + PANEL.gap + PANEL.label) + 8;
  }
  const width = Math.max(
    MARGIN * 2 + hidden * (PANEL.width + PANEL.gap) - PANEL.gap,
    MARGIN * 2 + 3 * MAP.size + 2 * MAP.gap,
    560,
  );
  return { width, height: y + MARGIN, background: [255, 255, 255], shapes };
}

function drawHeatmaps(shapes: Shape[], maps: Heatmaps, top: number): number {
  const error = maps.fit.map((v, i) => Math.abs(v - maps.target[i]));
  const lo = Math.min(...maps.target);
  const hi = Math.max(...maps.target);
  const maxError = Math.max(...error);
  const panels: [string, Float32Array, number, number][] = [
    [`target f(x, y), ${lo.toFixed(2)} to ${hi.toFixed(2)}`, maps.target, lo, hi],
    ['KAN output (same colours)', maps.fit, lo, hi],
    [`|error|, 0 to ${maxError.toPrecision(2)}`, error, 0, maxError],
  ];
  const cell = MAP.size / maps.resolution;
  panels.forEach(([caption, values, min, max], k) => {
    const left = MARGIN + k * (MAP.size + MAP.gap);
    shapes.push(text(left, top + 12, caption, 12, INK));
    const y0 = top + MAP.caption;
    for (let r = 0; r < maps.resolution; r++) {
      for (let c = 0; c < maps.resolution; c++) {
        const v = values[r * maps.resolution + c];
        const fill = viridis(max > min ? (v - min) / (max - min) : 0);
        // Cells overlap by a hair so no background shows between them.
        shapes.push({
          kind: 'rect',
          x: left + c * cell,
          y: y0 + r * cell,
          width: cell + 0.3,
          height: cell + 0.3,
          fill,
        });
      }
    }
    shapes.push({ kind: 'rect', x: left, y: y0, width: MAP.size, height: MAP.size, stroke: FRAME });
    shapes.push(text(left, y0 + MAP.size + 14, 'x: −1 → 1, y: −1 (bottom) → 1', 10, MUTED));
  });
  return top + MAP.caption + MAP.size + 28;
}

function drawEdge(
  shapes: Shape[],
  curve: EdgeCurve,
  left: number,
  top: number,
  label: string,
): void {
  const plotTop = top + PANEL.label;
  shapes.push(text(left, top + 11, label, 12, INK));
  shapes.push(
    text(
      left + PANEL.width,
      top + 11,
      `importance ${curve.importance.toFixed(2)}`,
      10,
      MUTED,
      'end',
    ),
  );
  shapes.push({
    kind: 'rect',
    x: left,
    y: plotTop,
    width: PANEL.width,
    height: PANEL.height,
    stroke: FRAME,
  });
  const [x0, x1] = [curve.xs[0], curve.xs[curve.xs.length - 1]];
  const lo = Math.min(...curve.ys);
  const hi = Math.max(...curve.ys);
  const pad = (hi - lo) * 0.1 || 1;
  const [y0, y1] = [lo - pad, hi + pad];
  const px = (x: number) => left + 4 + ((x - x0) / (x1 - x0 || 1)) * (PANEL.width - 8);
  const py = (y: number) => plotTop + PANEL.height - ((y - y0) / (y1 - y0)) * PANEL.height;
  if (y0 < 0 && y1 > 0) {
    shapes.push({
      kind: 'polyline',
      points: [
        [left, py(0)],
        [left + PANEL.width, py(0)],
      ],
      stroke: FRAME,
      width: 1,
      opacity: 1,
    });
  }
  shapes.push({
    kind: 'polyline',
    points: curve.xs.map((x, i) => [px(x), py(curve.ys[i])] as const),
    stroke: CURVE,
    width: 2,
    opacity: 0.15 + 0.85 * curve.importance,
  });
  shapes.push(
    text(left + 2, plotTop + PANEL.height + 12, `${x0.toFixed(2)} … ${x1.toFixed(2)}`, 9, MUTED),
  );
  shapes.push(
    text(
      left + PANEL.width,
      plotTop + PANEL.height + 12,
      `φ ${lo.toFixed(2)} … ${hi.toFixed(2)}`,
      9,
      MUTED,
      'end',
    ),
  );
}

function text(
  x: number,
  y: number,
  value: string,
  size: number,
  fill: Rgb,
  anchor: 'start' | 'middle' | 'end' = 'start',
): Shape {
  return { kind: 'text', x, y, text: value, size, anchor, fill };
}

/** Matplotlib's viridis at five stops, interpolated linearly. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function viridis(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
