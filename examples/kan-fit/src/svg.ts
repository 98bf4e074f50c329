import type { Rgb, Scene, Shape } from './scene.js';

export function toSvg(scene: Scene): string {
  const body = scene.shapes.map(shapeToSvg).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="${hex(scene.background)}"/>
${body}
</svg>
`;
}

function shapeToSvg(shape: Shape): string {
  switch (shape.kind) {
    case 'rect':
      return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.width)}" height="${n(shape.height)}" fill="${shape.fill ? hex(shape.fill) : 'none'}" shape-rendering="crispEdges"${shape.stroke ? ` stroke="${hex(shape.stroke)}"` : ''}/>`;
    case 'polyline':
      return `<polyline points="${shape.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="none" stroke="${hex(shape.stroke)}" stroke-width="${shape.width}" stroke-opacity="${n(shape.opacity)}" stroke-linejoin="round" stroke-linecap="round"/>`;
    case 'text':
      return `<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${shape.size}" text-anchor="${shape.anchor}" fill="${hex(shape.fill)}">${escapeXml(shape.text)}</text>`;
  }
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** Two decimals keep the file small and are far below a pixel. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
