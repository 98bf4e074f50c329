#!/usr/bin/env node
// `pnpm e2e:readmes`: every package README's quick start must run as written. Takes the first
// ```ts block under the README's "Quick start" heading, writes it to quick-start.mts in a
// temporary project whose node_modules links the package and what the package itself resolves
// (its dependencies and the tfjs backends), type-checks it (strict, moduleResolution nodenext)
// and runs it with tsx. The snippets select the wasm backend themselves; `data/` in the project is
// the repository's data folder. Fails if any snippet does not type-check, throws or exits non-zero,
// or a README lacks a section every package documents (install, API table, backend notes).
// `node e2e/readme-snippets/run.mjs kan lora` checks only those packages.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packagesDir = join(root, 'packages');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const RUN_TIMEOUT_MS = 300_000;
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)),
);

/** The first ```ts block after the "Quick start" heading. */
function quickStart(readme, file) {
  const heading = readme.search(/^#+\s*Quick start\s*$/im);
  if (heading < 0) throw new Error(`${file}: no "Quick start" heading`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(heading));
  if (!block) throw new Error(`${file}: no \`\`\`ts block under "Quick start"`);
  return block[1];
}

/** node_modules for the snippet: the package by name, plus every link in the package's own node_modules. */
function linkModules(project, pkgDir, pkgName) {
  const modules = join(project, 'node_modules');
  const link = (name, target) => {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(target, join(modules, name));
  };
  link(pkgName, pkgDir);
  const own = join(pkgDir, 'node_modules');
  for (const entry of readdirSync(own)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@')
      ? readdirSync(join(own, entry)).map((n) => `${entry}/${n}`)
      : [entry];
    for (const name of names) if (name !== pkgName) link(name, join(own, name));
  }
  if (!existsSync(join(modules, '@types', 'node')))
    link('@types/node', join(root, 'node_modules', '@types', 'node'));
  symlinkSync(join(root, 'data'), join(project, 'data'));
}

/** What every package README must have besides a runnable quick start (the docs checklist). */
function missingSections(readme, pkgName) {
  const section = (title) => {
    const start = readme.search(new RegExp(`^## ${title}\\b`, 'm'));
    if (start < 0) return '';
    const next = readme.slice(start + 3).search(/^## /m);
    return next < 0 ? readme.slice(start) : readme.slice(start, start + 3 + next);
  };
  const backends = section('Backends');
  const rules = [
    [
      `an Install section with \`pnpm add ${pkgName}\``,
      section('Install').includes(`pnpm add ${pkgName}`),
    ],
    ['an API section with a table', /^\|.*\|\s*$/m.test(section('API'))],
    [
      'Backends: tfjs-node-gpu for CUDA',
      backends.includes('@tensorflow/tfjs-node-gpu') &&
        backends.includes("initBackend('tensorflow')"),
    ],
    ['Backends: WebGPU in Node', backends.includes("initBackend('webgpu')")],
    ['Backends: WebGPU in the browser', backends.includes("tf.setBackend('webgpu')")],
  ];
  return rules.filter(([, ok]) => !ok).map(([what]) => what);
}

function check(name, work) {
  const pkgDir = join(packagesDir, name);
  const readmePath = join(pkgDir, 'README.md');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const readme = readFileSync(readmePath, 'utf8');
  const missing = missingSections(readme, pkg.name);
  if (missing.length > 0) throw new Error(`packages/${name}/README.md lacks ${missing.join('; ')}`);
  const snippet = quickStart(readme, `packages/${name}/README.md`);
  if (!/initBackend\('wasm'\)/.test(snippet)) {
    throw new Error(
      `packages/${name}/README.md: the quick start does not call initBackend('wasm')`,
    );
  }
  const project = join(work, name);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: `readme-${name}`, private: true, type: 'module' }),
  );
  writeFileSync(join(project, 'quick-start.mts'), snippet);
  linkModules(project, pkgDir, pkg.name);

  const typecheck = spawnSync(
    bin('tsc'),
    [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      'quick-start.mts',
    ],
    { cwd: project, env, encoding: 'utf8' },
  );
  if (typecheck.status !== 0) {
    throw new Error(
      `packages/${name}/README.md quick start does not type-check:\n${typecheck.stdout}${typecheck.stderr}`,
    );
  }
  const result = spawnSync(bin('tsx'), ['quick-start.mts'], {
    cwd: project,
    env,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
  });
  const out = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    throw new Error(`packages/${name}/README.md quick start failed (${why}):\n${out.slice(-4000)}`);
  }
  return out;
}

function main() {
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
    { cwd: root, env, stdio: 'inherit' },
  );
  if (build.status !== 0) throw new Error('building the packages failed');
  const only = process.argv.slice(2);
  const names = readdirSync(packagesDir).filter(
    (n) => existsSync(join(packagesDir, n, 'README.md')) && (only.length === 0 || only.includes(n)),
  );
  const work = mkdtempSync(join(tmpdir(), 'lgpt-readmes-'));
  const failures = [];
  try {
    for (const name of names) {
      const start = Date.now();
      try {
        const out = check(name, work);
        console.log(`ok   ${name} (${((Date.now() - start) / 1000).toFixed(0)}s)`);
        console.log(out.trimEnd().replace(/^/gm, '     │ ').slice(0, 3000));
      } catch (error) {
        console.log(`FAIL ${name} (${((Date.now() - start) / 1000).toFixed(0)}s)`);
        console.log(String(error instanceof Error ? error.message : error).replace(/^/gm, '     '));
        failures.push(name);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`README quick starts failing: ${failures.join(', ')}`);
    process.exitCode = 1;
  } else console.log(`all ${names.length} README quick starts ran`);
}

main();
