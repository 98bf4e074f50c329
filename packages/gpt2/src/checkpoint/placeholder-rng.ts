import { Rng } from '@lgpt/core';

/**
 * A generator whose "random" arrays are zeros, for building a model whose weights a checkpoint
 * is about to overwrite: drawing 774M normals for gpt2-large only to discard them takes ~30 s.
 */
export class PlaceholderRng extends Rng {
  override normalArray(size: number): Float32Array {
    return new Float32Array(size);
  }

  override uniformArray(size: number): Float32Array {
    return new Float32Array(size);
  }
}
