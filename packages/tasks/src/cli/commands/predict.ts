import { basename, join, resolve } from 'node:path';
import { checkOutputTarget, createStaging, swapIn } from '../../train/output-folder.js';
import * as opt from '../options.js';
import { openCheckpoint } from './evaluate.js';

const FLAGS = [
  'checkpoint',
  'out',
  'backend',
  'data',
  'overwrite',
  'help',
] as const satisfies readonly opt.FlagName[];

/**
 * `lgpt predict --checkpoint <dir> --out <dir>`: the reference's prediction files, in a folder of
 * their own. They are written next to it first and swapped in once all are written, so a failed
 * command leaves an earlier `--out` as it was; `--overwrite` replaces only an earlier `predict`'s.
 */
export async function predictCommand(argv: string[]): Promise<void> {
  const { flags } = opt.parseFlags('predict', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(
      opt.helpText('predict', '--checkpoint <dir> --out <dir> [options]', FLAGS),
    );
    return;
  }
  if (!flags.out) throw new opt.UsageError('--out <dir> is required');
  const outDir = resolve(flags.out as string);
  await opt.guardOut(() =>
    checkOutputTarget(outDir, 'predictions', { overwrite: flags.overwrite === true }),
  );
  const run = await openCheckpoint(flags);
  run.head.eval();
  const staging = await createStaging(outDir, 'predictions');
  const written = await run.predict(staging, false);
  run.head.dispose();
  await swapIn(outDir, 'predictions');
  for (const file of written) process.stdout.write(`${join(outDir, basename(file))}\n`);
}
