#!/usr/bin/env node
// `pnpm release:check`: builds the @lgpt packages, runs `pnpm publish --dry-run` for each, then
// packs each one and checks the tarball holds only what users need: package.json, README.md,
// LICENSE and dist/ (JavaScript, declarations, source maps that embed their sources), with no
// `workspace:` ranges left and every file the manifest points at present.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = './packages/*';
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map)$/,
];
// npm says this for every dry run without a login; nothing is wrong with the package.
const EXPECTED_WARNING = /requires you to be logged in to .* \(dry-run\)/;
// Workspace settings exported by `pnpm release:check` would reach npm as unknown-config warnings.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)),
);

function run(args, options = {}) {
  const result = spawnSync('pnpm', args, { cwd: root, env, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`pnpm ${args.join(' ')} failed:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/** Entries of a .tgz (ustar): path (without the leading `package/`) → contents. */
function untar(file) {
  const data = gunzipSync(readFileSync(file));
  const entries = new Map();
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '')
      entries.set(name.replace(/^package\//, ''), data.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Every file path the manifest points at (main, module, types, exports targets). */
function manifestTargets(pkg) {
  const targets = [pkg.main, pkg.module, pkg.types].filter(Boolean);
  const walk = (node) => {
    if (typeof node === 'string') targets.push(node);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(pkg.exports);
  return [...new Set(targets.map((t) => t.replace(/^\.\//, '')))];
}

function checkTarball(file) {
  const entries = untar(file);
  const problems = [];
  for (const path of entries.keys()) {
    if (!ALLOWED.some((re) => re.test(path))) problems.push(`unexpected file ${path}`);
  }
  for (const required of ['package.json', 'README.md', 'LICENSE']) {
    if (!entries.has(required)) problems.push(`missing ${required}`);
  }
  const pkg = JSON.parse(entries.get('package.json')?.toString('utf8') ?? '{}');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        problems.push(`${field}.${name} is still ${range}`);
    }
  }
  for (const target of manifestTargets(pkg)) {
    if (!entries.has(target))
      problems.push(`package.json points at ${target}, which is not in the tarball`);
  }
  for (const [path, contents] of entries) {
    if (!path.endsWith('.map')) continue;
    const map = JSON.parse(contents.toString('utf8'));
    const embedded = map.sourcesContent?.filter((s) => typeof s === 'string').length ?? 0;
    if (embedded !== map.sources.length) {
      problems.push(
        `${path} embeds ${embedded} of its ${map.sources.length} sources (src/ is not published)`,
      );
    }
  }
  const bytes = [...entries.values()].reduce((n, c) => n + c.length, 0);
  return { name: `${pkg.name}@${pkg.version}`, files: entries.size, bytes, problems };
}

function main() {
  run(['exec', 'turbo', 'run', 'build', `--filter=${PACKAGES}`, '--output-logs=errors-only']);

  const dryRun = run(['--filter', PACKAGES, '-r', 'publish', '--dry-run', '--no-git-checks']);
  const warnings = dryRun
    .split('\n')
    .filter((l) => /\b(warn|ERR!)\b/i.test(l) && !EXPECTED_WARNING.test(l));
  const published = dryRun.split('\n').filter((l) => l.startsWith('+ '));
  console.log(`publish --dry-run: ${published.map((l) => l.slice(2)).join(', ')}`);
  if (warnings.length > 0) throw new Error(`publish --dry-run warned:\n${warnings.join('\n')}`);

  const packDir = mkdtempSync(join(tmpdir(), 'lgpt-pack-'));
  try {
    run(['--filter', PACKAGES, '-r', 'pack', '--pack-destination', packDir]);
    let failed = false;
    for (const file of readdirSync(packDir)
      .filter((f) => f.endsWith('.tgz'))
      .sort()) {
      const { name, files, bytes, problems } = checkTarball(join(packDir, file));
      console.log(
        `${problems.length ? 'FAIL' : 'ok  '} ${name}: ${files} files, ${(bytes / 1024).toFixed(0)} kB unpacked`,
      );
      for (const p of problems) console.log(`     ${p}`);
      failed ||= problems.length > 0;
    }
    if (failed)
      throw new Error('some tarballs hold files they should not, or miss files they need');
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  console.log('release check passed');
}

try {
  main();
} catch (error) {
  console.error(`release check FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
