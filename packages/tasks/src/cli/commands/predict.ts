import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
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

/** `lgpt predict --checkpoint <dir> --out <dir>`: the reference's prediction files. */
export async function predictCommand(argv: string[]): Promise<void> {
  const { flags } = opt.parseFlags('predict', argv, FLAGS);
  if (flags.help) {
    process.stdout.write(
      opt.helpText('predict', '--checkpoint <dir> --out <dir> [options]', FLAGS),
    );
    return;
  }
  if (!flags.out) throw new opt.UsageError('--out <dir> is required');
  const run = await openCheckpoint(flags);
  run.head.eval();
  const outDir = resolve(flags.out as string);
  await mkdir(outDir, { recursive: true });
  for (const file of await run.predict(outDir, flags.overwrite === true)) {
    process.stdout.write(`${file}\n`);
  }
  run.head.dispose();
}
