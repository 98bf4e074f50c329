/** Causal-mask buffers old PyTorch checkpoints stored per layer; rebuilt from the config instead. */
const LEGACY_BUFFER = /^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * The model key a checkpoint key loads into: `GPT2Model` checkpoints have no `transformer.`
 * prefix, `GPT2LMHeadModel` ones do. `null` for legacy buffers, which are skipped.
 */
export function modelKey(checkpointKey: string): string | null {
  if (LEGACY_BUFFER.test(checkpointKey)) return null;
  if (checkpointKey.startsWith('transformer.') || checkpointKey.startsWith('lm_head.')) {
    return checkpointKey;
  }
  return `transformer.${checkpointKey}`;
}

/** The tied head's key: absent from tied checkpoints, ignored when present. */
export const TIED_HEAD_KEY = 'lm_head.weight';
