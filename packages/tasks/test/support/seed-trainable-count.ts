/**
 * The number of trainable scalars the original Learnable-GPT code builds, counted from its source
 * (not from lgpt's modules) so a test can hold lgpt's recipe to it: `models/gpt2.py` (embeddings,
 * `pooler_dense`, `final_layer_norm`), `modules/gpt2_layer.py` (attention, MLP / KAN / LoRA-KAN,
 * graph), `modules/lora_layer.py` (r 16), efficient-kan (`grid_size` 5 + `spline_order` 3 = 8
 * coefficients per edge, plus base weight and scaler), PyG `GATConv`, and the task heads.
 */
export interface SeedSizes {
  vocab: number;
  positions: number;
  width: number;
  layers: number;
  numLabels: number;
}

const LORA_R = 16;
const SPLINE_COEFFS = 5 + 3;

const linear = (inF: number, outF: number) => inF * outF + outF;
const lora = (inF: number, outF: number) => LORA_R * inF + outF * LORA_R;
/** efficient-kan `KANLinear`: base_weight, spline_weight, spline_scaler (the grid is a buffer). */
const kanLinear = (inF: number, outF: number) => outF * inF * (2 + SPLINE_COEFFS);

function layerCount(variant: string, c: number): number {
  const attention = 3 * linear(c, c) + linear(c, c) + 2 * 2 * c;
  let mlp = linear(c, 4 * c) + linear(4 * c, c);
  if (variant === 'lora') mlp += lora(c, 4 * c) + lora(4 * c, c);
  if (variant === 'kan')
    mlp = kanLinear(c, Math.trunc(1.5 * c)) + kanLinear(Math.trunc(1.5 * c), c);
  if (variant === 'lorakan')
    mlp = kanLinear(c, 4 * c) + lora(c, 4 * c) + kanLinear(4 * c, c) + lora(4 * c, c);
  // GATConv lin (no bias), att_src, att_dst, bias; gat_projection; fusion; graph_layer_norm.
  const graph = variant === 'graph' ? c * c + 3 * c + linear(c, c) + linear(2 * c, c) + 2 * c : 0;
  return attention + mlp + graph;
}

/** All parameters of the seed's `GPT2Model` (`gpt.*`). */
function bodyCount(variant: string, s: SeedSizes): number {
  const c = s.width;
  return s.vocab * c + s.positions * c + s.layers * layerCount(variant, c) + linear(c, c) + 2 * c;
}

/**
 * Trainable scalars: sentiment `last-linear-layer` trains only its classifier; sentiment
 * `full-model`, paraphrase and sonnet train every parameter (LoRA's frozen ones re-enabled).
 */
export function seedTrainableCount(
  task: string,
  variant: string,
  fineTuneMode: string,
  s: SeedSizes,
): number {
  const head =
    task === 'sentiment'
      ? linear(s.width, s.numLabels)
      : task === 'paraphrase'
        ? linear(s.width, 2)
        : 0;
  const bodyTrains = !(task === 'sentiment' && fineTuneMode === 'last-linear-layer');
  return head + (bodyTrains ? bodyCount(variant, s) : 0);
}
