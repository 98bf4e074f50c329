// ESM consumer: a GPT-2 checkpoint served over HTTP (a loopback server with range requests)
// loads by URL through GPT2LMHeadModel.fromPretrained, equal to the model that was saved.

import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, manualSeed } from '@lgpt/core';
import { GPT2LMHeadModel, GPT2Tokenizer, gpt2Preset } from '@lgpt/gpt2';

await initBackend('wasm');
manualSeed(0);
const dir = mkdtempSync(join(tmpdir(), 'lgpt-consumer-gpt2-'));
const saved = new GPT2LMHeadModel(
  gpt2Preset('tiny', { nLayer: 1, vocabSize: 300, bosTokenId: 299, eosTokenId: 299 }),
);
await saved.savePretrained(join(dir, 'tiny'));

let ranges = 0;
const server = createServer(async (req, res) => {
  const bytes = await readFile(join(dir, decodeURIComponent(req.url ?? ''))).catch(() => null);
  if (!bytes) return res.writeHead(404).end();
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (!range) return res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  ranges += 1;
  const [start, end] = [Number(range[1]), Math.min(Number(range[2]), bytes.length - 1)];
  res.writeHead(206, {
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${bytes.length}`,
  });
  res.end(bytes.subarray(start, end + 1));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/tiny`;
try {
  const loaded = await GPT2LMHeadModel.fromPretrained(url);
  const expected = new Map(saved.namedParameters());
  for (const [name, p] of loaded.namedParameters()) {
    const [a, b] = [await p.data(), await expected.get(name).data()];
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) throw new Error(`${name} differs`);
  }
  if (ranges < 3) throw new Error(`expected range requests, got ${ranges}`);
  // No tokenizer files at the URL: GPT-2's standard vocabulary, with a warning.
  const tokenizer = await GPT2Tokenizer.fromPretrained(url);
  console.log(
    `gpt2 by URL: ${loaded.namedParameters().length} tensors equal, ${ranges} range requests, tokenizer ${tokenizer.vocabSize} tokens`,
  );
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
