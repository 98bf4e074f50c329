// Floating-point operations of the timed computations, for the GFLOP/s beside each time: matrix
// products only (2 per multiply-add), the same count for both sides. Nominal: they count what the
// computation needs, not what an implementation happens to do (e.g. scores above the causal
// diagonal are counted, as both sides compute them).

/** GPT-2's forward over `tokens` rows of `length` positions: layers' products, attention, LM head. */
export function gpt2ForwardFlops({ nLayer, nEmbd, vocabSize }, batch, length) {
  const perToken = nLayer * (24 * nEmbd * nEmbd + 4 * length * nEmbd) + 2 * nEmbd * vocabSize;
  return batch * length * perToken;
}

/**
 * A LoRA step of GPT-2: the forward, then the input gradient of every product (the frozen
 * weights take no weight gradient; attention's backward has four products to its forward's two).
 * LoRA's rank-r products are left out.
 */
export function gpt2LoraStepFlops({ nLayer, nEmbd, vocabSize }, batch, length) {
  const perToken = nLayer * (48 * nEmbd * nEmbd + 12 * length * nEmbd) + 4 * nEmbd * vocabSize;
  return batch * length * perToken;
}

/** KV-cache generation: the prompt's forward, then one token at a time against a growing cache. */
export function gpt2GenerateFlops(config, promptLength, newTokens) {
  const { nLayer, nEmbd, vocabSize } = config;
  let flops = gpt2ForwardFlops(config, 1, promptLength);
  for (let context = promptLength + 1; context < promptLength + newTokens; context++) {
    flops += nLayer * (24 * nEmbd * nEmbd + 4 * context * nEmbd) + 2 * nEmbd * vocabSize;
  }
  return flops;
}

/**
 * efficient-kan's KANLinear forward and backward (input and parameters): the base product and the
 * spline product over `grid + order` bases per input, each with two gradient products.
 */
export function kanLinearFlops(rows, inFeatures, outFeatures, grid = 5, order = 3) {
  return 3 * 2 * rows * inFeatures * outFeatures * (1 + grid + order);
}

/** A plain matrix product `[m, k] @ [k, n]`. */
export function matMulFlops(m, k, n) {
  return 2 * m * k * n;
}

/**
 * learnable-gpt's GraphAttentionLayer forward and backward (input and parameters): the GAT's
 * linear map, its aggregation over the token graph (dense), the projection and the fusion of the
 * two `hidden`-wide branches; backward has two products per forward product.
 */
export function gatFusionFlops(batch, length, hidden) {
  const perToken = 2 * hidden * hidden * 4 + 2 * length * hidden;
  return 3 * batch * length * perToken;
}
