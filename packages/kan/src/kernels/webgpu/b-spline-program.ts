import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { BasisLayout } from '../names.js';

const WORKGROUP_SIZE = 64;

/**
 * WGSL shared by the forward and gradient programs: the windowed Cox-de Boor recursion of
 * `b-spline-js.ts` (same operations, so the same numbers up to float32 rounding). `splineWindow[t]` holds
 * basis `s - order + t`; the recursion never touches a basis that cannot be non-zero.
 */
function windowSnippet(order: number): string {
  return `
    const ORDER = ${order};
    var<private> splineWindow : array<f32, ${order + 1}>;

    // From order 1 on, Inf and NaN inputs give NaN bases, as in the reference (0 · inf there).
    fn isFiniteF32(v : f32) -> bool {
      return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
    }

    // The knot interval [g_s, g_s+1) holding x (half-open, as efficient-kan), or -1.
    fn findInterval(x : f32, base : i32, numKnots : i32) -> i32 {
      for (var j = 0; j < numKnots - 1; j++) {
        if (x >= grid[base + j] && x < grid[base + j + 1]) { return j; }
      }
      return -1;
    }

    fn evalWindow(x : f32, s : i32, base : i32, numKnots : i32) {
      splineWindow[0] = 1.0;
      for (var p = 1; p <= ORDER; p++) {
        let last = numKnots - 2 - p;
        for (var t = p; t >= 0; t--) {
          let j = s - p + t;
          if (j < 0 || j > last) { splineWindow[t] = 0.0; continue; }
          var lower = 0.0;
          if (t >= 1) { lower = splineWindow[t - 1]; }
          var upper = 0.0;
          if (t <= p - 1) { upper = splineWindow[t]; }
          let gj = grid[base + j];
          let gj1 = grid[base + j + 1];
          let gjp = grid[base + j + p];
          let gjp1 = grid[base + j + p + 1];
          splineWindow[t] = (x - gj) / (gjp - gj) * lower + (gjp1 - x) / (gjp1 - gj1) * upper;
        }
      }
    }
  `;
}

/** Maps the flat thread index to (row, feature); rows vary fastest in the features-first layout. */
function coordsSnippet(layout: BasisLayout): string {
  return layout === 'features'
    ? 'let row = index % rows; let feature = index / rows;'
    : 'let row = index / features; let feature = index % features;';
}

function offsetSnippet(layout: BasisLayout): string {
  return layout === 'features'
    ? `fn basisOffset(row : i32, feature : i32, c : i32, rows : i32, coeffs : i32) -> i32 {
         return (feature * coeffs + c) * rows + row;
       }`
    : `fn basisOffset(row : i32, feature : i32, c : i32, rows : i32, coeffs : i32) -> i32 {
         return (row * uniforms.xShape.y + feature) * coeffs + c;
       }`;
}

/** One thread per input element, each writing its `coeffs` bases. */
abstract class BSplineProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP_SIZE, 1, 1];
  abstract variableNames: string[];

  constructor(
    name: string,
    outputShape: number[],
    elements: number,
    protected readonly order: number,
    protected readonly layout: BasisLayout,
  ) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(elements / WORKGROUP_SIZE), 1, 1];
    this.shaderKey = `${name}_${order}_${layout}`;
  }

  abstract getUserCode(): string;
}

export class BSplineBasisProgram extends BSplineProgram {
  variableNames = ['x', 'grid'];

  constructor(
    outputShape: number[],
    rows: number,
    features: number,
    order: number,
    layout: BasisLayout,
  ) {
    super('lgpt_bspline_basis', outputShape, rows * features, order, layout);
  }

  getUserCode(): string {
    return `
      ${windowSnippet(this.order)}
      ${offsetSnippet(this.layout)}
      fn main(index : i32) {
        let rows = uniforms.xShape.x;
        let features = uniforms.xShape.y;
        if (index >= rows * features) { return; }
        ${coordsSnippet(this.layout)}
        let numKnots = uniforms.gridShape.y;
        let coeffs = numKnots - 1 - ORDER;
        let v = x[row * features + feature];
        let base = feature * numKnots;
        let finite = isFiniteF32(v);
        let s = findInterval(v, base, numKnots);
        if (s >= 0) { evalWindow(v, s, base, numKnots); }
        for (var c = 0; c < coeffs; c++) {
          var value = 0.0;
          if (!finite && ORDER >= 1) { value = uniforms.NAN; }
          if (s >= 0 && c >= s - ORDER && c <= s) { value = splineWindow[c - s + ORDER]; }
          result[basisOffset(row, feature, c, rows, coeffs)] = value;
        }
      }
    `;
  }
}

export class BSplineBasisGradProgram extends BSplineProgram {
  variableNames = ['x', 'grid', 'dy'];

  constructor(rows: number, features: number, order: number, layout: BasisLayout) {
    // Rows vary fastest in the thread index here too when dy is features-first, so reads coalesce.
    super('lgpt_bspline_basis_grad', [rows, features], rows * features, order, layout);
  }

  getUserCode(): string {
    const k = this.order;
    return `
      ${windowSnippet(Math.max(k - 1, 0))}
      ${offsetSnippet(this.layout)}
      fn main(index : i32) {
        let rows = uniforms.xShape.x;
        let features = uniforms.xShape.y;
        if (index >= rows * features) { return; }
        ${coordsSnippet(this.layout)}
        let numKnots = uniforms.gridShape.y;
        let coeffs = numKnots - 1 - ${k};
        let v = x[row * features + feature];
        let base = feature * numKnots;
        var sum = 0.0;
        let s = findInterval(v, base, numKnots);
        if (${k} > 0 && s >= 0) {
          evalWindow(v, s, base, numKnots); // splineWindow[t] = B[s - k + 1 + t][k - 1]
          for (var c = max(0, s - ${k}); c <= min(coeffs - 1, s); c++) {
            let t = c - (s - ${k} + 1);
            var lower = 0.0;
            if (t >= 0) { lower = splineWindow[t]; }
            var upper = 0.0;
            if (t + 1 <= ${k} - 1) { upper = splineWindow[t + 1]; }
            let slope = lower / (grid[base + c + ${k}] - grid[base + c])
                - upper / (grid[base + c + ${k} + 1] - grid[base + c + 1]);
            sum = sum + dy[basisOffset(row, feature, c, rows, coeffs)] * ${k}.0 * slope;
          }
        }
        if (!isFiniteF32(v) && ${k} >= 2) { sum = uniforms.NAN; }
        result[row * features + feature] = sum;
      }
    `;
  }
}
