import { isUsingLayers } from './config.js';
import { pythonFullMatch, pythonMatch } from './python-regex.js';

/** The config fields that decide which modules an adapter targets. */
export interface TargetSelection {
  targetModules: string[] | string | null;
  excludeModules: string[] | string | null;
  modulesToSave: string[] | null;
  layersToTransform: number[] | number | null;
  layersPattern: string[] | string | null;
}

export type TargetDecision = 'target' | 'skip' | 'excluded';

/**
 * PEFT 0.20's `check_target_module_exists` for the dotted module name `key`:
 * - `excludeModules` first (regex: full match; list: equal or ends with `"." + entry`);
 * - a module matched by `modulesToSave` (or inside one) is never an adapter target;
 * - `targetModules` as a string is a regex that must match the whole name; as a list, an entry
 *   matches a name equal to it or ending with `"." + entry` (so `c_proj` matches both
 *   `attn.c_proj` and `mlp.c_proj`, but not `xc_proj`);
 * - with `layersToTransform` (list form only), the layer index is the number after `layersPattern`
 *   (or, without a pattern, the first `<name>.<number>.` segment that is not the first segment).
 */
export function checkTargetModuleExists(config: TargetSelection, key: string): TargetDecision {
  const { excludeModules, targetModules, modulesToSave } = config;
  if (excludeModules && excludeModules.length > 0) {
    const excluded =
      typeof excludeModules === 'string'
        ? pythonFullMatch(excludeModules, key, 'excludeModules')
        : matchesListEntry(excludeModules, key);
    if (excluded) return 'excluded';
  }
  if (
    modulesToSave?.some((m) => pythonMatch(`(^|.*\\.)${m}($|\\..*)`, key, `modulesToSave '${m}'`))
  ) {
    return 'excluded';
  }
  if (targetModules === null) return 'skip';
  if (typeof targetModules === 'string') {
    return pythonFullMatch(targetModules, key, 'targetModules') ? 'target' : 'skip';
  }
  if (targetModules.includes(key)) return 'target';
  if (!targetModules.some((t) => key.endsWith(`.${t}`))) return 'skip';
  if (!isUsingLayers(config.layersToTransform)) return 'target';
  const index = layerIndex(config.layersPattern, key);
  if (index === null) return 'skip';
  const wanted = config.layersToTransform;
  return (Array.isArray(wanted) ? wanted.includes(index) : wanted === index) ? 'target' : 'skip';
}

function matchesListEntry(entries: string[], key: string): boolean {
  return entries.includes(key) || entries.some((e) => key.endsWith(`.${e}`));
}

function layerIndex(layersPattern: string[] | string | null, key: string): number | null {
  const patterns =
    layersPattern === null || layersPattern.length === 0
      ? null
      : typeof layersPattern === 'string'
        ? [layersPattern]
        : layersPattern;
  if (patterns === null) {
    const m = pythonMatch('.*?\\.[^.]*\\.(\\d+)\\.', key, 'layer index');
    return m ? Number(m[1]) : null;
  }
  for (const pattern of patterns) {
    const m = pythonMatch(`.*?\\.${pattern}\\.(\\d+)\\.`, key, `layersPattern '${pattern}'`);
    if (m) return Number(m[1]);
  }
  return null;
}

/**
 * PEFT's `get_pattern_key`: the first key of `rankPattern` / `alphaPattern` (in insertion order)
 * that, as a regex, matches the end of the module name at a `.` boundary (or the whole name).
 * Returns `key` itself when none does.
 */
export function getPatternKey(patternKeys: string[], key: string): string {
  for (const pattern of patternKeys) {
    if (pythonMatch(`(.*\\.)?(${pattern})$`, key, `pattern '${pattern}'`)) return pattern;
  }
  return key;
}

/** PEFT's `_set_trainable` test for `modules_to_save`: a plain suffix match (no `.` boundary). */
export function isModuleToSave(modulesToSave: string[] | null, key: string): boolean {
  return modulesToSave?.some((m) => key.endsWith(m)) ?? false;
}
