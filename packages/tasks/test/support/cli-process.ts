import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `lgpt` command (`pnpm --filter @lgpt/tasks build` first). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `lgpt …` as a real process. `killAt` names the point where it SIGKILLs itself
 * (`LGPT_TEST_KILL_AT`, see src/train/kill-point.ts).
 */
export function lgptProcess(argv: string[], killAt?: string): Promise<CliProcessResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build @lgpt/tasks first`);
  const env = { ...process.env, LGPT_TEST_KILL_AT: killAt ?? '' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Every file under `dir` (relative paths, sorted) with its bytes. */
export async function treeFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(dir, path), await readFile(path));
    }
  };
  await walk(dir);
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A sentiment data folder with short sentences (8 train, 4 dev, no test file), so a `tiny` epoch
 * on cpu takes seconds.
 */
export async function shortSentimentData(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lgpt-short-sst-'));
  const file = (rows: [string, number][]) =>
    `\tid\tsentence\tsentiment\n${rows.map(([s, l], i) => `${i}\tid${i}\t${s}\t${l}\n`).join('')}`;
  await writeFile(
    join(dir, 'ids-sst-train.csv'),
    file([
      ['a good film .', 3],
      ['bad and dull .', 1],
      ['great fun .', 4],
      ['not good .', 1],
      ['fine work .', 3],
      ['an awful mess .', 0],
      ['loved it .', 4],
      ['so boring .', 1],
    ]),
  );
  await writeFile(
    join(dir, 'ids-sst-dev.csv'),
    file([
      ['good .', 3],
      ['bad .', 1],
      ['fun film .', 4],
      ['dull mess .', 0],
    ]),
  );
  return dir;
}
