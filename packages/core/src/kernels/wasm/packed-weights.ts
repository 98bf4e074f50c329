import type * as tf from '@tensorflow/tfjs-core';

/**
 * Weights kept packed for the GEMM (gemm.wat's `pack_weight`), as XNNPACK and ONNX Runtime keep
 * theirs: a product of few rows packs all of B for little arithmetic, so a weight multiplied again
 * and again (a prompt read by an eval-mode model) is packed once and its copy kept while its
 * tensor lives. Measured on GPT-2's products at 32 rows (Node 24, one thread, weights read from
 * memory): `[768, 3072]` 4.2 → 3.5 ms, `[768, 2304]` 3.0 → 2.6, the LM head's `[50257, 768]ᵀ`
 * 72 → 57; at 128 rows packing is ~3% of the product, so only products of fewer rows keep one.
 */
export const MAX_KEPT_ROWS = 255;

/** Default budget: a quarter of wasm32's 4 GiB heap (GPT-2 small's weights take 0.5 GiB). */
let budgetBytes = 2 ** 30;

/** Sets the heap bytes kept packed weights may take in all (0: none are kept). */
export function setPackedWeightBytes(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes >= 0)) {
    throw new Error(`packedWeightBytes must be a number of bytes ≥ 0, got ${bytes}`);
  }
  budgetBytes = bytes;
}

/** The parts of tfjs-backend-wasm's backend the cache needs (typed here, as in heap.ts). */
export interface PackedWeightsBackend {
  wasm: { _malloc(bytes: number): number; _free(at: number): void };
  dataIdMap: { has(dataId: object): boolean };
  disposeData(dataId: object, force?: boolean): boolean;
}

interface Kept {
  at: number;
  bytes: number;
  transposed: boolean;
}

/** One backend's kept weights, by the tensor data they were packed from. */
export class PackedWeights {
  private readonly kept = new Map<object, Kept>();
  private bytes = 0;

  constructor(private readonly backend: PackedWeightsBackend) {
    // Frees a weight's copy when the backend frees its data (the tensor and every tensor sharing
    // its data disposed): tfjs tensors never change in place, and a variable's `assign` moves it
    // to new data, so a copy is right for as long as its data lives.
    const disposeData = backend.disposeData.bind(backend);
    backend.disposeData = (dataId, force) => {
      const freed = disposeData(dataId, force);
      if (!backend.dataIdMap.has(dataId)) this.forget(dataId);
      return freed;
    };
  }

  /**
   * The heap offset of `b`'s packed copy (`bytes` long) for this layout, packing it now
   * (`pack(dst)`, called after the allocation, which may have grown the heap) where the budget
   * allows; 0 where it is not kept (the product then packs B itself).
   */
  get(b: tf.TensorInfo, transposed: boolean, bytes: number, pack: (dst: number) => void): number {
    const kept = this.kept.get(b.dataId);
    if (kept !== undefined) return kept.transposed === transposed ? kept.at : 0;
    if (!this.keeps(b, transposed, bytes)) return 0;
    const at = this.backend.wasm._malloc(bytes) >>> 0;
    // The heap could not grow: the product packs per call, as without the cache.
    if (at === 0) return 0;
    pack(at);
    this.kept.set(b.dataId, { at, bytes, transposed });
    this.bytes += bytes;
    return at;
  }

  /** Whether `b` is kept in this layout, or would be (`bytes` within the budget). */
  keeps(b: tf.TensorInfo, transposed: boolean, bytes: number): boolean {
    const kept = this.kept.get(b.dataId);
    if (kept !== undefined) return kept.transposed === transposed;
    return this.bytes + bytes <= budgetBytes;
  }

  /** Bytes of the heap the kept copies take (for tests). */
  get keptBytes(): number {
    return this.bytes;
  }

  private forget(dataId: object): void {
    const kept = this.kept.get(dataId);
    if (kept === undefined) return;
    this.kept.delete(dataId);
    this.bytes -= kept.bytes;
    this.backend.wasm._free(kept.at);
  }
}
