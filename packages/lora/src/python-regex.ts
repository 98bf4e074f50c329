/**
 * PEFT's module matching is written with Python's `re`. These helpers give JavaScript regular
 * expressions the same anchoring (`re.fullmatch` = whole string, `re.match` = from the start) and
 * translate the named-group syntax that differs (`(?P<name>…)`, `(?P=name)`). Other Python-only
 * constructs are reported as invalid patterns rather than silently reinterpreted.
 */

const cache = new Map<string, RegExp>();

function compile(source: string, what: string): RegExp {
  let re = cache.get(source);
  if (!re) {
    const translated = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
    try {
      re = new RegExp(translated);
    } catch (error) {
      throw new Error(`${what}: invalid regular expression: ${(error as Error).message}`);
    }
    cache.set(source, re);
  }
  return re;
}

/** `re.fullmatch(pattern, text)`. */
export function pythonFullMatch(pattern: string, text: string, what: string): boolean {
  return compile(`^(?:${pattern})$`, `${what} '${pattern}'`).test(text);
}

/**
 * `re.match(pattern, text)` for a pattern built around a user fragment: returns the match (capture
 * groups numbered as in Python) or null.
 */
export function pythonMatch(pattern: string, text: string, what: string): RegExpExecArray | null {
  return compile(`^(?:${pattern})`, what).exec(text);
}
