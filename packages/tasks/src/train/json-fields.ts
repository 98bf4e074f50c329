import { describeRange, inRange, type NumberRange } from './number-range.js';

/**
 * A JSON file lgpt wrote and reads back (`run.json`, `trainer.json`, `metrics.json`,
 * `lgpt-output.json`) that is missing, corrupt, or has a field of the wrong type or range. The
 * message names the file and the key.
 */
export class RunFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFileError';
  }
}

export type JsonRecord = Record<string, unknown>;

export function isJsonRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object in `path`, or a `RunFileError` saying why there is none. */
export async function readJsonRecord(path: string): Promise<JsonRecord> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new RunFileError(`${path}: ${code === 'ENOENT' ? 'no such file' : message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!isJsonRecord(value)) throw new RunFileError(`${path}: expected a JSON object`);
  return value;
}

/**
 * Reads the fields of one JSON object, each checked for type and range; an error names the file
 * and the dotted key (`settings.dropoutProb`). Keys it is not asked about are left alone, so a
 * newer lgpt's extra fields do not break an older reader.
 */
export class JsonFields {
  constructor(
    readonly file: string,
    readonly value: JsonRecord,
    private readonly prefix = '',
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  number(key: string, range: NumberRange = {}): number {
    const v = this.value[key];
    if (!inRange(v, range)) this.fail(key, describeRange(range));
    return v;
  }

  string(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.value[key];
    if (!(allowed as readonly unknown[]).includes(v))
      this.fail(key, `one of ${allowed.join(', ')}`);
    return v as T;
  }

  object(key: string): JsonFields {
    const v = this.value[key];
    if (!isJsonRecord(v)) this.fail(key, 'an object');
    return new JsonFields(this.file, v, `${this.prefix}${key}.`);
  }

  /** Each element of an array of objects. */
  objects(key: string): JsonFields[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, 'an array');
    return v.map((item, i) => {
      if (!isJsonRecord(item)) this.fail(`${key}[${i}]`, 'an object', item);
      return new JsonFields(this.file, item, `${this.prefix}${key}[${i}].`);
    });
  }

  /** `read(key)` when the field is present, else undefined. */
  optional<T>(key: string, read: (key: string) => T): T | undefined {
    return this.has(key) ? read(key) : undefined;
  }

  /** `read(key)`, or null when the field is null. */
  nullable<T>(key: string, read: (key: string) => T): T | null {
    return this.value[key] === null ? null : read(key);
  }

  /** An array of `length` numbers, each within `range`. */
  numberArray(key: string, length: number, range: NumberRange = {}): number[] {
    const v = this.value[key];
    if (!Array.isArray(v) || v.length !== length || !v.every((x) => inRange(x, range))) {
      this.fail(key, `an array of ${length} numbers, each ${describeRange(range)}`);
    }
    return v;
  }

  /** An object whose every value is a finite number (a record of metrics). */
  numbers(key: string): Record<string, number> {
    const fields = this.object(key);
    return Object.fromEntries(Object.keys(fields.value).map((k) => [k, fields.number(k)]));
  }

  fail(key: string, expected: string, value: unknown = this.value[key]): never {
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new RunFileError(
      `${this.file}: key '${this.prefix}${key}' must be ${expected}; got ${got}`,
    );
  }
}
