import { visibleToBytes } from './byte-level.js';

/** GPT-2's only special token (id 50256): end of text, also its BOS and (in Learnable-GPT) PAD. */
export const END_OF_TEXT = '<|endoftext|>';

/** What a byte-level BPE tokenizer is made of. */
export interface Vocabulary {
  /** Byte string → id, for the tokens BPE can produce. */
  tokens: Map<string, number>;
  /** Merges in priority order (byte-string pairs). */
  merges: [string, string][];
  /** Text → id of tokens matched whole in the input before BPE (`<|endoftext|>`). */
  specialTokens: Map<string, number>;
}

/**
 * From js-tiktoken's rank data (`js-tiktoken/ranks/gpt2`: lines of `! <first rank> <base64 token>…`).
 * Tiktoken stores ranks, not merges; the merge that made each token is recovered as BPE training
 * made it: encoding the token's bytes with only lower-ranked tokens leaves exactly two parts.
 */
export function vocabularyFromTiktoken(data: {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
}): Vocabulary {
  const tokens = new Map<string, number>();
  for (const line of data.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, first, ...encoded] = line.split(' ');
    const offset = Number.parseInt(first, 10);
    for (const [i, b64] of encoded.entries()) tokens.set(atob(b64), offset + i);
  }
  const byRank = [...tokens].filter(([t]) => t.length > 1).sort((a, b) => a[1] - b[1]);
  const merges = byRank.map(([token, rank]) => splitByLowerRanks(token, rank, tokens));
  return { tokens, merges, specialTokens: new Map(Object.entries(data.special_tokens)) };
}

function splitByLowerRanks(
  token: string,
  rank: number,
  ranks: ReadonlyMap<string, number>,
): [string, string] {
  const parts = [...token];
  while (parts.length > 2) {
    let best = rank;
    let at = -1;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = ranks.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    parts.splice(at, 2, parts[at] + parts[at + 1]);
  }
  if (parts.length !== 2) {
    throw new Error(
      `tiktoken ranks: token of rank ${rank} is not a merge of two lower-ranked tokens`,
    );
  }
  return [parts[0], parts[1]];
}

/**
 * From Hugging Face's `vocab.json` (token → id, in the byte-level alphabet) and `merges.txt`
 * (`#version` line, then `a b` per line). `specialTokens` are the added tokens (text → id).
 */
export function vocabularyFromFiles(
  vocab: Record<string, number>,
  merges: string | string[] | [string, string][],
  specialTokens: Record<string, number> = {},
  source = 'vocab.json',
): Vocabulary {
  const specials = new Map(Object.entries(specialTokens));
  const tokens = new Map<string, number>();
  for (const [text, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0)
      throw new Error(`${source}: id of ${JSON.stringify(text)} is ${id}`);
    if (specials.has(text)) continue;
    tokens.set(visibleToBytes(text, source), id);
  }
  // Special tokens that are also ordinary vocabulary entries keep their vocab.json id.
  for (const text of specials.keys()) {
    if (Object.hasOwn(vocab, text)) specials.set(text, vocab[text]);
  }
  return { tokens, merges: parseMerges(merges), specialTokens: specials };
}

function parseMerges(merges: string | string[] | [string, string][]): [string, string][] {
  const lines = typeof merges === 'string' ? merges.split('\n') : merges;
  const out: [string, string][] = [];
  lines.forEach((line, i) => {
    if (typeof line === 'string' && (line.startsWith('#version') || line.trim() === '')) return;
    const pair = typeof line === 'string' ? line.split(' ') : line;
    if (pair.length !== 2) {
      throw new Error(
        `merges line ${i + 1}: expected two tokens separated by one space, got ${JSON.stringify(line)}`,
      );
    }
    out.push([
      visibleToBytes(pair[0], `merges line ${i + 1}`),
      visibleToBytes(pair[1], `merges line ${i + 1}`),
    ]);
  });
  return out;
}
