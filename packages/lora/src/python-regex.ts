/**
 * PEFT's module matching is written with Python's `re`. These helpers give JavaScript regular
 * expressions the same anchoring (`re.fullmatch` = whole string, `re.match` = from the start) and
 * translate Python's syntax into JavaScript's Unicode (`u`) mode: what Python accepts and `u` mode
 * rejects is rewritten (`\-`, `\:` and other escaped punctuation, `(?P<name>…)`, `(?P=name)`, a
 * `{` or `]` that is not syntax, `{,n}`); constructs JavaScript has no equivalent for (`\A`, `\Z`,
 * `\N{…}`, inline flags, comments, conditionals) are rejected with an error naming them, never
 * silently reinterpreted.
 */

const cache = new Map<string, RegExp>();

/** Characters `u` mode lets a backslash escape (plus `-` inside a class). */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
/** Escapes with the same meaning in both. */
const SHARED_ESCAPES = new Set('dDsSwWbBntrfv0123456789');
const PYTHON_ONLY: Record<string, string> = {
  A: '\\A (start of string; use ^)',
  Z: '\\Z (end of string; use $)',
  N: '\\N{…} (a named character)',
};

/** Python `re` syntax → an equivalent JavaScript `u`-mode source; throws on Python-only syntax. */
export function translatePythonRegex(source: string, what: string): string {
  const reject = (construct: string): never => {
    throw new Error(`${what}: ${construct} has no JavaScript equivalent`);
  };
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new Error(`${what}: invalid regular expression: trailing \\`);
      i++;
      if (PYTHON_ONLY[next]) reject(PYTHON_ONLY[next]);
      if (next === 'U') {
        const hex = source.slice(i + 1, i + 9);
        if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error(`${what}: \\U needs 8 hex digits`);
        out += `\\u{${hex}}`;
        i += 8;
      } else if (next === 'a') {
        out += '\\x07';
      } else if (next === 'x' || next === 'u' || SHARED_ESCAPES.has(next)) {
        out += `\\${next}`;
      } else if (/[A-Za-z]/.test(next)) {
        throw new Error(`${what}: invalid regular expression: bad escape \\${next}`);
      } else if (JS_SYNTAX.has(next) || (inClass && next === '-')) {
        out += `\\${next}`;
      } else {
        out += next; // Python's escaped punctuation is the character itself.
      }
    } else if (inClass) {
      if (c === ']' && !(out.endsWith('[') || out.endsWith('[^'))) inClass = false;
      else if (c === ']') {
        out += '\\]'; // Python: a `]` first in a class is literal.
        continue;
      }
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === ']' || c === '}') {
      out += `\\${c}`;
    } else if (c === '{') {
      const quantifier = /^\{(\d*)(,?)(\d*)\}/.exec(source.slice(i));
      if (quantifier && (quantifier[1] || quantifier[3])) {
        const [text, low, comma, high] = quantifier;
        out += `{${low || '0'}${comma}${high}}`;
        i += text.length - 1;
      } else {
        out += '\\{';
      }
    } else if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
      } else if (rest.startsWith('P=')) {
        const name = /^P=(\w+)\)/.exec(rest);
        if (!name) throw new Error(`${what}: invalid regular expression: bad (?P= group`);
        out += `\\k<${name[1]}>`;
        i += 2 + name[0].length - 1;
      } else if (rest.startsWith('#')) reject('a (?#…) comment');
      else if (rest.startsWith('(')) reject('a (?(…)…) conditional');
      else if (/^[aiLmsux-]+[:)]/.test(rest))
        reject(`the inline flags (?${rest.split(/[:)]/)[0]})`);
      else out += c;
    } else {
      out += c;
    }
  }
  return out;
}

function compile(source: string, what: string): RegExp {
  let re = cache.get(source);
  if (!re) {
    try {
      re = new RegExp(translatePythonRegex(source, what), 'u');
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(
        message.startsWith(what) ? message : `${what}: invalid regular expression: ${message}`,
      );
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
