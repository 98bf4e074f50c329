import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// Two builds run in parallel, so neither may clean dist/ itself.
rmSync('dist', { recursive: true, force: true });

export default defineConfig([
  packageBuild({ index: 'src/index.ts', node: 'src/node.ts' }, { clean: false }),
  // The `lgpt` command: one ESM file with its shebang, no types.
  packageBuild({ cli: 'src/cli/main.ts' }, { format: ['esm'], dts: false, clean: false }),
]);
