// Helper of load-url.mjs, in its own process so that neither writing nor serving the checkpoint
// counts in the loader's RSS: writes a random GPT-2 small (F32, savePretrained) into a temporary
// folder, serves it on loopback with range requests, prints `{"url": …}`, and serves until killed.
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, manualSeed } from '@lgpt/core';
import { GPT2LMHeadModel, gpt2Preset } from '@lgpt/gpt2';

await initBackend('wasm');
const dir = mkdtempSync(join(tmpdir(), 'lgpt-bench-checkpoint-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGTERM', () => process.exit(0));
manualSeed(0);
const model = new GPT2LMHeadModel(gpt2Preset('gpt2'));
await model.savePretrained(join(dir, 'gpt2'));
model.dispose();

const server = createServer(async (req, res) => {
  const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return res.writeHead(404).end();
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (!range) {
    res.writeHead(200, { 'content-length': info.size });
    return res.end(await readFile(path));
  }
  const [start, end] = [Number(range[1]), Math.min(Number(range[2]), info.size - 1)];
  res.writeHead(206, {
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${info.size}`,
  });
  // Streamed in 1 MiB pieces: the server's memory stays flat whatever the range.
  const handle = await open(path);
  try {
    for (let at = start; at <= end; at += 1 << 20) {
      const length = Math.min(1 << 20, end + 1 - at);
      const { buffer } = await handle.read(Buffer.alloc(length), 0, length, at);
      if (!res.write(buffer)) await new Promise((resolve) => res.once('drain', resolve));
    }
  } finally {
    await handle.close();
  }
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/gpt2` }));
});
