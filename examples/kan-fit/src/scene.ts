/**
 * A picture as a list of shapes in pixel coordinates (y down), drawn by both `svg.ts` and
 * `png.ts`, so the two files show the same figure.
 */
export type Rgb = readonly [number, number, number];

export interface Rect {
  kind: 'rect';
  x: number;
  y: number;
  width: number;
  height: number;
  fill?: Rgb;
  stroke?: Rgb;
}

export interface Polyline {
  kind: 'polyline';
  points: readonly (readonly [number, number])[];
  stroke: Rgb;
  width: number;
  /** 0–1. */
  opacity: number;
}

export interface Text {
  kind: 'text';
  x: number;
  y: number;
  text: string;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  fill: Rgb;
}

export type Shape = Rect | Polyline | Text;

export interface Scene {
  width: number;
  height: number;
  background: Rgb;
  shapes: Shape[];
}
