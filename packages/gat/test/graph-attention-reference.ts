/**
 * learnable-gpt's `GraphAttentionLayer` (eval mode) written out in plain numbers, independent of
 * the tensor code it checks: PyG's `GATConv` (`heads` heads of `C = hidden / heads`,
 * concatenated, negative slope 0.2, self loops) on the causal token graph (token i attends to
 * j ≤ i), then `gat_projection`, then `fusion(concat[transformerOutput, projected])`.
 */
export interface GraphAttentionWeights {
  /** `gat.lin.weight` `[heads·C, hidden]` (no bias, as in PyG). */
  lin: number[][];
  /** `gat.att_src`, `gat.att_dst` `[1, heads, C]`. */
  attSrc: number[][][];
  attDst: number[][][];
  /** `gat.bias` `[heads·C]`. */
  bias: number[];
  projection: { weight: number[][]; bias: number[] };
  fusion: { weight: number[][]; bias: number[] };
}

const NEGATIVE_SLOPE = 0.2;

/** `hidden`, `transformerOutput`: `[batch][tokens][hidden]`. */
export function referenceGraphAttention(
  w: GraphAttentionWeights,
  hidden: number[][][],
  transformerOutput: number[][][],
): number[][][] {
  const heads = w.attSrc[0].length;
  const headSize = w.attSrc[0][0].length;
  return hidden.map((sequence, b) => {
    const projected = sequence.map((h) => affine(w.lin, h));
    return sequence.map((_, i) => {
      const graph = w.bias.slice();
      for (let k = 0; k < heads; k++) {
        const head = (x: number[]) => x.slice(k * headSize, (k + 1) * headSize);
        const target = dot(w.attDst[0][k], head(projected[i]));
        // Neighbours of token i on the causal graph: j = 0 … i (the self loop included).
        const scores = projected
          .slice(0, i + 1)
          .map((x) => leakyRelu(dot(w.attSrc[0][k], head(x)) + target));
        const weights = softmax(scores);
        for (let c = 0; c < headSize; c++) {
          for (let j = 0; j <= i; j++)
            graph[k * headSize + c] += weights[j] * projected[j][k * headSize + c];
        }
      }
      const graphOutput = affine(w.projection.weight, graph, w.projection.bias);
      return affine(w.fusion.weight, [...transformerOutput[b][i], ...graphOutput], w.fusion.bias);
    });
  });
}

/** `weight · x + bias` with a PyTorch `[out, in]` weight. */
function affine(weight: number[][], x: number[], bias?: number[]): number[] {
  return weight.map((row, o) => dot(row, x) + (bias ? bias[o] : 0));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i], 0);
}

function leakyRelu(x: number): number {
  return x > 0 ? x : NEGATIVE_SLOPE * x;
}

function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const exps = xs.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
