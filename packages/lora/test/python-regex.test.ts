import { describe, expect, it } from 'vitest';
import { pythonFullMatch, translatePythonRegex } from '../src/python-regex.js';

const full = (pattern: string, text: string) => pythonFullMatch(pattern, text, 'targetModules');

describe("Python's re syntax in JavaScript's u mode", () => {
  it('rewrites what Python accepts and u mode rejects, with the same meaning', () => {
    expect(full('h\\.0\\.mlp\\-fc', 'h.0.mlp-fc')).toBe(true);
    expect(full('a\\:b\\#c\\ d', 'a:b#c d')).toBe(true);
    expect(full('x[\\-_]y', 'x-y')).toBe(true);
    expect(full('x[\\-_]y', 'x.y')).toBe(false);
    expect(full('a{', 'a{')).toBe(true);
    expect(full('a}b]', 'a}b]')).toBe(true);
    expect(full('a{,2}', 'aa')).toBe(true);
    expect(full('a{,2}', 'aaa')).toBe(false);
    expect(full('[]a]+', ']a]')).toBe(true);
    expect(full('(?P<layer>\\d+)\\.(?P=layer)', '3.3')).toBe(true);
    expect(full('(?P<layer>\\d+)\\.(?P=layer)', '3.4')).toBe(false);
    expect(full('\\U0001F600', '😀')).toBe(true);
    expect(translatePythonRegex('a\\-b', 'p')).toBe('a-b');
  });

  it('rejects Python-only constructs, naming them', () => {
    expect(() => full('c_fc\\Z', 'c_fc')).toThrow(/targetModules 'c_fc\\Z': \\Z .*no JavaScript/);
    expect(() => full('\\Ac_fc', 'c_fc')).toThrow(/\\A .*no JavaScript equivalent/);
    expect(() => full('(?i)c_fc', 'C_FC')).toThrow(/inline flags \(\?i\)/);
    expect(() => full('c(?#note)_fc', 'c_fc')).toThrow(/\(\?#…\) comment/);
    expect(() => full('\\q', 'q')).toThrow(/bad escape \\q/);
  });
});
