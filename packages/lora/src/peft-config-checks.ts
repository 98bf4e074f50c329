/**
 * Type and range checks for every `adapter_config.json` key that @lgpt/lora reads into a
 * `LoraConfig`. PEFT 0.20 checks none of these types: `lora_alpha: "sixteen"` or `null` loads there
 * and fails later with a bare `TypeError` in `lora_alpha / r` (and JavaScript would silently give
 * NaN). Here a bad value is refused on load with the file and key. `null` passes only where PEFT's
 * field is `Optional` and PEFT handles `None`; a missing key takes PEFT's default.
 */

interface FieldCheck {
  ok: (value: unknown) => boolean;
  expected: string;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPositiveInteger = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isLayerIndex = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isStringList = (v: unknown) => Array.isArray(v) && v.every(isString);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const orNull =
  (ok: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v === null || ok(v);

const BOOLEAN: FieldCheck = { ok: (v) => typeof v === 'boolean', expected: 'true or false' };
const OPTIONAL_STRING: FieldCheck = { ok: orNull(isString), expected: 'a string or null' };
const MODULE_NAMES: FieldCheck = {
  ok: orNull((v) => isString(v) || isStringList(v)),
  expected: 'a list of module names, a regular expression string, or null',
};

const CHECKS = new Map<string, FieldCheck>([
  ['r', { ok: isPositiveInteger, expected: 'a positive integer' }],
  ['lora_alpha', { ok: isFiniteNumber, expected: 'a number (scaling = lora_alpha / r)' }],
  [
    'lora_dropout',
    { ok: (v) => isFiniteNumber(v) && v >= 0 && v < 1, expected: 'a number in [0, 1)' },
  ],
  ['target_modules', MODULE_NAMES],
  ['exclude_modules', MODULE_NAMES],
  ['layers_pattern', { ...MODULE_NAMES, expected: 'a string, a list of strings, or null' }],
  [
    'layers_to_transform',
    {
      ok: orNull((v) => isLayerIndex(v) || (Array.isArray(v) && v.every(isLayerIndex))),
      expected: 'a layer index, a list of layer indices (integers ≥ 0), or null',
    },
  ],
  ['modules_to_save', { ok: orNull(isStringList), expected: 'a list of module names or null' }],
  [
    'rank_pattern',
    {
      ok: (v) => isPlainObject(v) && Object.values(v).every(isPositiveInteger),
      expected: 'an object mapping patterns to positive integer ranks',
    },
  ],
  [
    'alpha_pattern',
    {
      ok: (v) => isPlainObject(v) && Object.values(v).every(isFiniteNumber),
      expected: 'an object mapping patterns to numbers',
    },
  ],
  [
    'bias',
    {
      ok: (v) => v === 'none' || v === 'all' || v === 'lora_only',
      expected: '"none", "all" or "lora_only"',
    },
  ],
  [
    'init_lora_weights',
    { ok: (v) => typeof v === 'boolean' || isString(v), expected: 'true, false or a method name' },
  ],
  ['fan_in_fan_out', BOOLEAN],
  ['inference_mode', BOOLEAN],
  ['lora_bias', BOOLEAN],
  ['use_dora', BOOLEAN],
  ['use_rslora', BOOLEAN],
  ['task_type', OPTIONAL_STRING],
  ['base_model_name_or_path', OPTIONAL_STRING],
  ['revision', OPTIONAL_STRING],
]);

/** Throws `<source>: <key> must be …, got …` when `value` is not a valid `key`. */
export function checkPeftField(key: string, value: unknown, source: string): void {
  const check = CHECKS.get(key);
  if (!check || check.ok(value)) return;
  let shown = JSON.stringify(value) ?? String(value);
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw new TypeError(`${source}: ${key} must be ${check.expected}, got ${shown}`);
}
