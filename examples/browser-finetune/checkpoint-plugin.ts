import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@lgpt/core';
import type { Plugin } from 'vite';
import { DEFAULT_CHECKPOINT_PATH, writeDefaultCheckpoint } from './src/default-checkpoint.js';

/**
 * Writes the page's default checkpoint into `public/` when a build or the dev server starts
 * (once: it is deterministic), so it is served with the page and copied into `dist/`.
 */
export function defaultCheckpoint(root: string): Plugin {
  return {
    name: 'lgpt-default-checkpoint',
    async buildStart() {
      const dir = join(root, 'public', DEFAULT_CHECKPOINT_PATH);
      if (await stat(join(dir, 'model.safetensors')).catch(() => null)) return;
      await initBackend('cpu');
      await writeDefaultCheckpoint(dir, await readFile(join(root, 'src', 'sonnets.txt'), 'utf8'));
    },
  };
}
