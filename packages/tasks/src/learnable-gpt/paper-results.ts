import type { SentimentDataset } from '../tasks/sentiment.js';
import type { SeedTask } from './seed-config.js';

/** A number the Learnable-GPT paper reports, with the run metric it corresponds to. */
export interface PaperResult {
  /** What was measured, e.g. `SST-5 accuracy`. */
  label: string;
  /** The run's dev metric of the same kind (`dev_accuracy` is a fraction, shown ×100). */
  runMetric: 'dev_accuracy' | 'dev_chrf';
  /** In percent for accuracies, chrF points for sonnets. */
  value: number;
  /** The split the paper scored: from tuned runs, not the scripts' defaults. */
  split: 'test' | 'dev';
}

/**
 * The paper's headline numbers (tuned runs; SST, Quora and sonnets on their test splits, which the
 * bundled data cannot score, CFIMDB on dev). They are not comparable with a run's dev numbers, so
 * they are shown beside them, never subtracted.
 */
export function paperResult(task: SeedTask, dataset: SentimentDataset = 'sst'): PaperResult {
  if (task === 'sentiment') {
    return dataset === 'cfimdb'
      ? { label: 'CFIMDB accuracy', runMetric: 'dev_accuracy', value: 99.18, split: 'dev' }
      : { label: 'SST-5 accuracy', runMetric: 'dev_accuracy', value: 55.249, split: 'test' };
  }
  if (task === 'paraphrase') {
    return { label: 'Quora accuracy', runMetric: 'dev_accuracy', value: 89.9, split: 'test' };
  }
  return { label: 'sonnet chrF', runMetric: 'dev_chrf', value: 42.097, split: 'test' };
}

/** `paper, tuned, test split` (or `dev split`): how the paper's number is labelled everywhere. */
export function paperLabel(result: PaperResult): string {
  return `paper, tuned, ${result.split} split`;
}

/**
 * A markdown table of each variant's dev number beside the paper's, with no difference column:
 * the two come from different splits and settings.
 */
export function paperTable(
  result: PaperResult,
  runs: readonly [variant: string, dev: Record<string, number> | null][],
): string {
  const unit = result.runMetric === 'dev_accuracy' ? ' %' : '';
  const scale = result.runMetric === 'dev_accuracy' ? 100 : 1;
  const rows = runs.map(([variant, dev]) => {
    const value = dev?.[result.runMetric];
    return [
      `${variant} (this run, dev split)`,
      value === undefined ? '—' : `${(value * scale).toFixed(2)}${unit}`,
    ];
  });
  rows.push([paperLabel(result), `${result.value}${unit}`]);
  return [['', result.label], ['---', '---'], ...rows]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');
}
