/**
 * GPT-2's pre-tokenizer: contractions, runs of letters / digits / other symbols (each with at most
 * one leading space), and whitespace (a run before a non-space keeps its last space for the next
 * word). Whitespace is Unicode `White_Space`, as `\s` is in Python's `regex` (used by OpenAI and
 * Hugging Face); JavaScript's own `\s` would differ on U+0085 and U+FEFF.
 */
const PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

export function pretokenize(text: string): string[] {
  return text.match(PATTERN) ?? [];
}

/** A lone UTF-16 surrogate has no UTF-8 encoding (and Python refuses to encode one). */
const LONE_SURROGATE = /\p{Cs}/u;

export function assertWellFormed(text: string): void {
  const match = LONE_SURROGATE.exec(text);
  if (match) {
    const code = match[0].charCodeAt(0).toString(16).toUpperCase();
    throw new Error(
      `text has a lone UTF-16 surrogate U+${code} at index ${match.index}: it is not Unicode text and has no UTF-8 bytes (text.toWellFormed() replaces it with U+FFFD)`,
    );
  }
}
