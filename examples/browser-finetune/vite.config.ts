import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { defaultCheckpoint } from './checkpoint-plugin.js';

/**
 * Cross-origin isolation, which SharedArrayBuffer and so tfjs-wasm's threaded build need.
 * `credentialless` (rather than `require-corp`) still lets the page fetch cross-origin files, such
 * as a model from a hub, without those servers opting in. `public/_headers` sends the same from a
 * static host that reads it (Netlify, Cloudflare Pages).
 */
const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

export default defineConfig({
  plugins: [defaultCheckpoint(fileURLToPath(new URL('.', import.meta.url)))],
  // One tfjs-core for the page and every package: two copies would mean two kernel registries.
  resolve: { dedupe: ['@tensorflow/tfjs-core'] },
  build: {
    target: 'es2022',
    // tfjs-core with two backends (~710 kB) and GPT-2's BPE ranks (~545 kB, loaded on demand) are
    // what this page is; splitting them further gains nothing.
    chunkSizeWarningLimit: 1024,
  },
  server: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
  preview: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
});
