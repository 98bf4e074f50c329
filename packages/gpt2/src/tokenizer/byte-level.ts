/**
 * GPT-2's byte-level alphabet (`bytes_to_unicode` in OpenAI's encoder and Hugging Face): every byte
 * is shown as a printable character, so `vocab.json` and `merges.txt` hold text. Printable Latin-1
 * bytes stand for themselves; the other 68 bytes become U+0100 onwards (space is `Ġ`).
 *
 * Internally tokens are "byte strings": one char per byte, char code = byte value.
 */
const BYTE_TO_CHAR: string[] = [];
const CHAR_TO_BYTE = new Map<string, number>();

{
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const char = String.fromCharCode(printable(b) ? b : next++);
    BYTE_TO_CHAR[b] = char;
    CHAR_TO_BYTE.set(char, b);
  }
}

/** A byte string in GPT-2's printable alphabet (as written in `vocab.json`). */
export function bytesToVisible(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes.charCodeAt(i)];
  return out;
}

/** The byte string of a `vocab.json` / `merges.txt` token; throws on a character outside the alphabet. */
export function visibleToBytes(text: string, where: string): string {
  let out = '';
  for (const char of text) {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte === undefined) {
      throw new Error(
        `${where}: token ${JSON.stringify(text)} has ${JSON.stringify(char)}, which is not in GPT-2's byte-level alphabet`,
      );
    }
    out += String.fromCharCode(byte);
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` as a byte string. */
export function utf8ByteString(text: string): string {
  const bytes = encoder.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/** A byte string as bytes. */
export function byteStringToBytes(bytes: string): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}
