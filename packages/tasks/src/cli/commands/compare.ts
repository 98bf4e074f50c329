import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { paperResult, paperTable } from '../../learnable-gpt/paper-results.js';
import { SEED_VARIANTS } from '../../learnable-gpt/seed-config.js';
import type { TaskName } from '../../tasks/types.js';
import { checkOutputTarget, outputKind, writeManifest } from '../../train/output-folder.js';
import { writeTextFile } from '../../train/write-file.js';
import { VARIANT_NAMES } from '../../variants/variant.js';
import { seedVariantFlag } from '../learnable-gpt-flags.js';
import * as opt from '../options.js';
import { planTraining, runTraining, TRAIN_FLAGS, type TrainResult } from './train.js';

const FLAGS = [
  ...TRAIN_FLAGS.filter((f) => f !== 'variant' && f !== 'resume'),
  'variants',
] as const;

/**
 * `lgpt compare <task>`: the original project's headline experiment in one command — trains each
 * variant on the task with the same settings, then prints and writes (`comparison.md`,
 * `comparison.json`) a table of their best dev scores, trainable parameters and time.
 */
export async function compareCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = opt.parseFlags('compare', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(
      opt.helpText('compare', '<sentiment|paraphrase|sonnet> [--variants a,b,…] [options]', FLAGS),
    );
    return;
  }
  const name: TaskName = opt.task(positionals[0], 'compare');
  const learnableGpt = opt.recipe((flags.recipe as string) ?? 'lgpt') === 'learnable-gpt';
  const variants = (
    (flags.variants as string) ?? (learnableGpt ? SEED_VARIANTS : VARIANT_NAMES).join(',')
  )
    .split(',')
    .map((v) => (learnableGpt ? seedVariantFlag(v.trim()) : opt.variant(v.trim())));
  const outDir = resolve(
    (flags.out as string) ??
      join('runs', learnableGpt ? `compare-${name}-learnable-gpt` : `compare-${name}`),
  );
  const overwrite = flags.overwrite === true;
  await opt.guardOut(() => checkOutputTarget(outDir, 'comparison', { overwrite }));
  // Every variant's flags and folder are checked before the first one trains.
  const plans = [];
  for (const variant of variants) {
    plans.push(await planTraining(name, { ...flags, variant, out: join(outDir, variant) }));
  }
  if ((await outputKind(outDir)) === null) {
    await mkdir(outDir, { recursive: true });
    await writeManifest(outDir, 'comparison');
  }
  const results: [string, TrainResult][] = [];
  for (const plan of plans) {
    process.stderr.write(`\n== ${name} / ${plan.config.variant}\n`);
    results.push([plan.config.variant, await runTraining(plan)]);
  }
  const metrics = [...new Set(results.flatMap(([, r]) => Object.keys(r.kept.dev ?? {})))];
  const rows = results.map(([variant, r]) => [
    variant,
    ...metrics.map((m) => r.kept.dev?.[m]?.toFixed(4) ?? '—'),
    String(r.kept.epoch ?? '—'),
    r.trainable.split('||')[0].replace('trainable params:', '').trim(),
    r.summary.seconds.toFixed(0),
  ]);
  const kept = results[0]?.[1].kept.which ?? 'best';
  const header = ['variant', ...metrics, `${kept} epoch`, 'trainable params', 'seconds'];
  let table = [header, header.map(() => '---'), ...rows]
    .map((r) => `| ${r.join(' | ')} |`)
    .join('\n');
  if (learnableGpt) {
    // The paper's numbers come from tuned runs on other splits: beside, never subtracted.
    const paper = paperResult(name, opt.dataset((flags.dataset as string) ?? 'sst'));
    table += `\n\n${paperTable(
      paper,
      results.map(([variant, r]) => [variant, r.kept.dev]),
    )}`;
  }
  process.stdout.write(`\n${table}\n`);
  // The folder is lgpt's own comparison (checked above): its tables are replaced.
  await writeTextFile(join(outDir, 'comparison.md'), `# ${name}: variants compared\n\n${table}\n`, {
    overwrite: true,
  });
  await writeTextFile(
    join(outDir, 'comparison.json'),
    `${JSON.stringify(Object.fromEntries(results.map(([v, r]) => [v, { ...r.summary, kept: r.kept, trainable: r.trainable }])), null, 2)}\n`,
    { overwrite: true },
  );
}
