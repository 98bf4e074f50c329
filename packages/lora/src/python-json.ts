/**
 * Writes JSON byte-for-byte like Python's `json.dumps(value, indent=2, sort_keys=True)`, which is
 * how PEFT writes `adapter_config.json`. JavaScript's `JSON.stringify` differs in three ways that
 * matter here: it cannot tell the float `0.0` from the int `0`, it writes `1e-7` where Python writes
 * `1e-07`, and it leaves non-ASCII characters unescaped (Python's `ensure_ascii` escapes them).
 */

/** A number Python holds as a `float`: written `0.0`, never `0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export function pythonJsonDumps(value: unknown, indent = 2): string {
  return dump(value, 0, indent);
}

function dump(value: unknown, level: number, indent: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? String(value) : pythonFloatRepr(value);
  }
  if (typeof value === 'string') return asciiOnly(JSON.stringify(value));
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => pad + dump(v, level + 1, indent));
    return `[\n${items.join(',\n')}\n${end}]`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(comparePython);
    if (keys.length === 0) return '{}';
    const record = value as Record<string, unknown>;
    const items = keys.map(
      (k) => `${pad}${asciiOnly(JSON.stringify(k))}: ${dump(record[k], level + 1, indent)}`,
    );
    return `{\n${items.join(',\n')}\n${end}}`;
  }
  throw new TypeError(`cannot write a ${typeof value} as JSON`);
}

/** Python sorts `str` keys by code point; JavaScript's default sort compares UTF-16 units. */
function comparePython(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0)!);
  const cb = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return ca[i] - cb[i];
  }
  return ca.length - cb.length;
}

/** `ensure_ascii=True`: every UTF-16 unit above 0x7F becomes `\uXXXX` (lowercase hex, like Python). */
function asciiOnly(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Python's `repr(float)`: the shortest round-tripping digits (which JavaScript also finds), written in
 * positional form for decimal exponents -4 … 15 and in scientific form (`1e-07`, `1.5e+16`) otherwise.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exponent = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const frac = digits.slice(1);
    const exp = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fracPart = digits.slice(exponent + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}
