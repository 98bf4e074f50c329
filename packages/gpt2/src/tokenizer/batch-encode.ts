export interface BatchEncodeOptions {
  /**
   * `true` / `'longest'`: pad to the longest text; `'max_length'`: to `maxLength`; `false`
   * (default, as Hugging Face): no padding (rows may differ in length).
   */
  padding?: boolean | 'longest' | 'max_length';
  /** Cut texts longer than `maxLength` (default: the tokenizer's `modelMaxLength`). Default false. */
  truncation?: boolean;
  maxLength?: number;
  /** Where pad tokens go. Default 'right'; generation needs 'left'. */
  paddingSide?: 'left' | 'right';
  /** Which end truncation cuts. Default 'right'. */
  truncationSide?: 'left' | 'right';
  /** Match special tokens in the texts. Default true. */
  allowSpecial?: boolean;
}

export interface BatchEncoding {
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[][];
}

/**
 * Hugging Face's padding and truncation. A text longer than an explicit `maxLength` without
 * `truncation` is an error rather than a ragged row.
 */
export function padAndTruncate(
  encoded: number[][],
  options: BatchEncodeOptions,
  padTokenId: number,
  modelMaxLength: number,
): BatchEncoding {
  const { truncation = false, paddingSide = 'right', truncationSide = 'right' } = options;
  const padding = options.padding === true ? 'longest' : options.padding || false;
  const maxLength =
    options.maxLength ?? (truncation || padding === 'max_length' ? modelMaxLength : undefined);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength <= 0)) {
    throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const rows = encoded.map((ids, i) => {
    if (maxLength === undefined || ids.length <= maxLength) return ids;
    if (!truncation) {
      throw new Error(
        `text ${i} has ${ids.length} tokens, more than maxLength ${maxLength}; pass truncation: true to cut it`,
      );
    }
    return truncationSide === 'right' ? ids.slice(0, maxLength) : ids.slice(ids.length - maxLength);
  });
  const width =
    padding === 'max_length'
      ? (maxLength as number)
      : padding === 'longest'
        ? Math.max(0, ...rows.map((r) => r.length))
        : 0;
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  for (const ids of rows) {
    const pad = Math.max(0, width - ids.length);
    const pads = new Array<number>(pad).fill(padTokenId);
    const mask = new Array<number>(ids.length).fill(1);
    const zeros = new Array<number>(pad).fill(0);
    inputIds.push(paddingSide === 'left' ? [...pads, ...ids] : [...ids, ...pads]);
    attentionMask.push(paddingSide === 'left' ? [...zeros, ...mask] : [...mask, ...zeros]);
  }
  return { inputIds, attentionMask };
}
