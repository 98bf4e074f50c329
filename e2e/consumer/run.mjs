#!/usr/bin/env node
// `pnpm e2e:consumer`: publishes every @lgpt package to a local registry (verdaccio on loopback,
// temporary storage, the real registry proxied for everything else), installs them into a fresh
// project outside the workspace as a user would, and runs an ESM and a CJS LoRA training step, a
// GPT-2 checkpoint loaded by URL from a loopback server, and a type check under `moduleResolution: node16` and `bundler`. Exits non-zero on any failure and
// always stops verdaccio and removes its temporary folders.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const registryProject = join(here, 'registry');
const snippets = join(here, 'snippets');
const USER = { name: 'lgpt-e2e', password: 'lgpt-e2e-password' };
const CONSUMER_DEPS = [
  '@lgpt/lora',
  '@lgpt/core',
  '@lgpt/gpt2',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
];
const CONSUMER_DEV_DEPS = ['typescript@5.9.3'];

// `pnpm e2e:consumer` exports the workspace's settings as npm_config_* variables, which would
// override the fresh project's .npmrc (its registry above all): children get an environment
// without them.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)),
);

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'lgpt-consumer-'));
let verdaccio = null;

function step(message) {
  console.log(`\n=== ${message} (${Math.round((Date.now() - started) / 1000)}s)`);
}

/** Runs a command, echoing its output; throws with the command line if it fails. */
function run(command, args, { cwd = root, env = cleanEnv, timeout = 300_000 } = {}) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit', timeout });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${why}`);
  }
}

function output(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, env: cleanEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url, logFile) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (verdaccio.exitCode !== null) break;
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `verdaccio did not start at ${url}:\n${readFileSync(logFile, 'utf8').slice(-4000)}`,
  );
}

async function startVerdaccio(upstream) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    `storage: ${JSON.stringify(join(work, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(work, 'htpasswd'))}
    max_users: 1
uplinks:
  upstream:
    url: ${JSON.stringify(upstream)}
    timeout: 120s
packages:
  '@lgpt/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    proxy: upstream
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`,
  );
  const logFile = join(work, 'verdaccio.log');
  const log = openSync(logFile, 'a');
  const bin = join(registryProject, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  // Its own process group, so cleanup stops verdaccio and anything it started.
  verdaccio = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  await waitForRegistry(url, logFile);
  return url;
}

/** Creates the publishing user (verdaccio's npm-adduser endpoint) and returns its token. */
async function addUser(url) {
  const response = await fetch(`${url}-/user/org.couchdb.user:${USER.name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: USER.name, password: USER.password, type: 'user' }),
  });
  const body = await response.json();
  if (!response.ok || !body.token)
    throw new Error(`could not create a registry user: ${JSON.stringify(body)}`);
  return body.token;
}

function cleanup() {
  if (verdaccio && verdaccio.exitCode === null) {
    try {
      process.kill(-verdaccio.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

async function main() {
  step('local registry');
  run('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { cwd: registryProject });
  const upstream = output('pnpm', ['config', 'get', 'registry']);
  const url = await startVerdaccio(upstream);
  const hostKey = url.replace(/^http:/, '');
  console.log(`verdaccio at ${url}, proxying ${upstream} for everything but @lgpt/*`);

  step('build and publish @lgpt/*');
  run('pnpm', [
    'exec',
    'turbo',
    'run',
    'build',
    '--filter=./packages/*',
    '--output-logs=errors-only',
  ]);
  const userconfig = join(work, 'publish.npmrc');
  writeFileSync(userconfig, `registry=${url}\n${hostKey}:_authToken=${await addUser(url)}\n`);
  run(
    'pnpm',
    [
      '--filter',
      './packages/*',
      '-r',
      'publish',
      '--registry',
      url,
      '--no-git-checks',
      '--access',
      'public',
    ],
    { env: { ...cleanEnv, npm_config_userconfig: userconfig } },
  );

  step('fresh project: pnpm add from the local registry');
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'lgpt-consumer', version: '0.0.0', private: true }, null, 2)}\n`,
  );
  // A cache of its own: each run republishes the same versions with new tarballs.
  writeFileSync(join(project, '.npmrc'), `registry=${url}\ncache-dir=${join(work, 'cache')}\n`);
  const quiet = ['--reporter=append-only'];
  run('pnpm', ['add', ...CONSUMER_DEPS, ...quiet], { cwd: project });
  run('pnpm', ['add', '--save-dev', ...CONSUMER_DEV_DEPS, ...quiet], { cwd: project });
  const installed = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  console.log(`installed: ${JSON.stringify(installed.dependencies)}`);

  step('ESM and CJS: apply LoRA, train one step');
  for (const file of ['lora-step.mjs', 'lora-step.cjs']) {
    copyFileSync(join(snippets, file), join(project, file));
    run(process.execPath, [file], { cwd: project });
  }

  step('ESM: a GPT-2 checkpoint by URL');
  copyFileSync(join(snippets, 'gpt2-from-url.mjs'), join(project, 'gpt2-from-url.mjs'));
  run(process.execPath, ['gpt2-from-url.mjs'], { cwd: project });

  step('types: moduleResolution node16 (.mts, .cts) and bundler (.ts)');
  for (const file of ['types.mts', 'types.cts', 'types.ts'])
    copyFileSync(join(snippets, 'types.ts'), join(project, file));
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    copyFileSync(join(snippets, config), join(project, config));
    run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: project });
    console.log(`${config}: ok`);
  }

  step('consumer e2e passed');
}

try {
  await main();
} catch (error) {
  console.error(`\nconsumer e2e FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
