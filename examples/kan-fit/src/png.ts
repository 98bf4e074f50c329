import { deflateSync } from 'node:zlib';
import type { Polyline, Rect, Rgb, Scene } from './scene.js';

/**
 * Rasterises a scene into a PNG with no native dependency: rectangles are filled, lines are drawn
 * with anti-aliased edges (coverage from the distance to the segment), and text is left out (a
 * font rasteriser would outweigh the example; the SVG carries the labels).
 */
export function toPng(scene: Scene, scale = 2): Buffer {
  const width = Math.round(scene.width * scale);
  const height = Math.round(scene.height * scale);
  const pixels = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) pixels.set(scene.background, p * 3);
  const canvas = { width, height, pixels, scale };
  for (const shape of scene.shapes) {
    if (shape.kind === 'rect') drawRect(canvas, shape);
    else if (shape.kind === 'polyline') drawPolyline(canvas, shape);
  }
  return encodePng(width, height, pixels);
}

interface Canvas {
  width: number;
  height: number;
  /** RGB, 0–255, row-major. */
  pixels: Float32Array;
  scale: number;
}

function blend(canvas: Canvas, x: number, y: number, color: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height || alpha <= 0) return;
  const at = (y * canvas.width + x) * 3;
  for (let c = 0; c < 3; c++) {
    canvas.pixels[at + c] += (color[c] - canvas.pixels[at + c]) * Math.min(1, alpha);
  }
}

function drawRect(canvas: Canvas, rect: Rect): void {
  const s = canvas.scale;
  const [x0, y0] = [Math.round(rect.x * s), Math.round(rect.y * s)];
  const [x1, y1] = [Math.round((rect.x + rect.width) * s), Math.round((rect.y + rect.height) * s)];
  if (rect.fill) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) blend(canvas, x, y, rect.fill, 1);
  }
  if (rect.stroke) {
    const stroke = { stroke: rect.stroke, width: 1, opacity: 1 };
    const corners: [number, number][] = [
      [rect.x, rect.y],
      [rect.x + rect.width, rect.y],
      [rect.x + rect.width, rect.y + rect.height],
      [rect.x, rect.y + rect.height],
      [rect.x, rect.y],
    ];
    drawPolyline(canvas, { kind: 'polyline', points: corners, ...stroke });
  }
}

/** Each pixel takes the largest coverage any segment gives it, so joints are not drawn twice. */
function drawPolyline(canvas: Canvas, line: Polyline): void {
  const s = canvas.scale;
  const half = (line.width * s) / 2;
  const coverage = new Map<number, number>();
  for (let k = 1; k < line.points.length; k++) {
    const [ax, ay] = [line.points[k - 1][0] * s, line.points[k - 1][1] * s];
    const [bx, by] = [line.points[k][0] * s, line.points[k][1] * s];
    const xMin = Math.max(0, Math.floor(Math.min(ax, bx) - half - 1));
    const xMax = Math.min(canvas.width - 1, Math.ceil(Math.max(ax, bx) + half + 1));
    const yMin = Math.max(0, Math.floor(Math.min(ay, by) - half - 1));
    const yMax = Math.min(canvas.height - 1, Math.ceil(Math.max(ay, by) + half + 1));
    for (let y = yMin; y <= yMax; y++) {
      for (let x = xMin; x <= xMax; x++) {
        const d = distanceToSegment(x + 0.5, y + 0.5, ax, ay, bx, by);
        const cover = Math.min(1, half + 0.5 - d);
        const key = y * canvas.width + x;
        if (cover > (coverage.get(key) ?? 0)) coverage.set(key, cover);
      }
    }
  }
  for (const [key, cover] of coverage) {
    blend(
      canvas,
      key % canvas.width,
      Math.floor(key / canvas.width),
      line.stroke,
      cover * line.opacity,
    );
  }
}

function distanceToSegment(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const [dx, dy] = [bx - ax, by - ay];
  const length2 = dx * dx + dy * dy;
  const t =
    length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** An 8-bit RGB PNG: one IHDR, one zlib-compressed IDAT (filter 0 on every row), IEND. */
function encodePng(width: number, height: number, pixels: Float32Array): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let i = 0; i < width * 3; i++) {
      raw[row + 1 + i] = Math.max(0, Math.min(255, Math.round(pixels[y * width * 3 + i])));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** PNG's CRC-32 (node:zlib has `crc32` only from Node 22). */
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
