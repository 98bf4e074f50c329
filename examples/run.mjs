#!/usr/bin/env node
// `pnpm example <name> [args]` (from the repo root): builds the @lgpt packages the example uses
// (turbo, filtered to its dependencies), then runs the example's `start` script with the args.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const examplesDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(examplesDir);
// Where the user typed the command (pnpm runs root scripts from the root and sets INIT_CWD).
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read when running an example, not by a turbo task
const callerDir = process.env.INIT_CWD ?? process.cwd();

/** name → package name, for every example with a `start` script. */
function examples() {
  const found = new Map();
  for (const entry of readdirSync(examplesDir, { withFileTypes: true })) {
    const manifest = join(examplesDir, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    if (pkg.scripts?.start) found.set(entry.name, pkg.name);
  }
  return found;
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const [name, ...args] = process.argv.slice(2);
const available = examples();
if (!name || !available.has(name)) {
  const list = [...available.keys()].join(', ');
  console.error(
    name
      ? `unknown example '${name}': available ${list}`
      : `usage: pnpm example <name> [args]\nexamples: ${list}`,
  );
  process.exit(1);
}

const pkg = available.get(name);
const built = run(
  'pnpm',
  [
    'exec',
    'turbo',
    'run',
    'build',
    `--filter=${pkg}^...`,
    '--output-logs=errors-only',
    '--log-prefix=none',
  ],
  root,
);
if (built !== 0) process.exit(built);
// Run from where the user is, so the example resolves their relative paths from there.
process.exit(
  run('pnpm', ['--silent', '--dir', join(examplesDir, name), 'run', 'start', ...args], callerDir),
);
