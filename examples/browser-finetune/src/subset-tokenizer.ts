import { GPT2Tokenizer, type Vocabulary } from '@lgpt/gpt2';

/**
 * GPT-2's tokenizer cut down to the tokens a corpus needs: the tokens its text encodes to, every
 * token BPE builds them from (so the corpus tokenizes exactly as with GPT-2), GPT-2's 256 byte
 * tokens (so any other text still encodes, in smaller pieces) and `<|endoftext|>`, renumbered
 * 0…n−1 in GPT-2's order. Only the merges that build kept tokens remain.
 *
 * Why: a training step multiplies by the `[vocab, n_embd]` embedding twice (the tied LM head,
 * forward and backward). At GPT-2's 50,257 rows that dominates a tiny model: on a software GPU
 * (SwiftShader) a step took 30–36 s, with the subset 2–4 s.
 */
export function subsetTokenizer(tokenizer: GPT2Tokenizer, corpus: string): GPT2Tokenizer {
  const { tokens, merges, specialTokens } = tokenizer.vocabulary;
  const bytesOf = new Map([...tokens].map(([bytes, id]) => [id, bytes]));
  const parts = new Map(merges.map(([a, b]) => [a + b, [a, b] as const]));
  const kept = new Set<string>();
  const keep = (bytes: string): void => {
    if (kept.has(bytes)) return;
    kept.add(bytes);
    for (const part of parts.get(bytes) ?? []) keep(part);
  };
  for (let byte = 0; byte < 256; byte++) keep(String.fromCharCode(byte));
  for (const id of tokenizer.encode(corpus, { allowSpecial: false })) {
    const bytes = bytesOf.get(id);
    if (bytes === undefined) throw new Error(`GPT-2 token ${id} has no bytes`);
    keep(bytes);
  }
  const ordered = [...kept].sort((a, b) => tokens.get(a)! - tokens.get(b)!);
  const vocabulary: Vocabulary = {
    tokens: new Map(ordered.map((bytes, id) => [bytes, id])),
    merges: merges.filter(([a, b]) => kept.has(a + b)),
    specialTokens: new Map([...specialTokens.keys()].map((text, i) => [text, ordered.length + i])),
  };
  return new GPT2Tokenizer(vocabulary);
}
