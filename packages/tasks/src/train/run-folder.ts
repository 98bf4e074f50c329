import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointEpoch, recoverCheckpoint } from './checkpoint.js';
import { OutputFolderError, outputKind, recoverOutput } from './output-folder.js';
import { readTrainerState, type TrainerState } from './trainer-state.js';

/**
 * Finishes what a crash interrupted in the run folder `outDir`: the swap of a new run into place
 * (it happens once the new run has committed its first `last/`), and the replacement of `last/` or
 * `best/`. Folders that are not lgpt runs are never touched.
 */
export async function recoverRun(outDir: string): Promise<void> {
  await recoverOutput(outDir, 'run', async (staging) => {
    await recoverCheckpoint(join(staging, 'last'));
    return (await checkpointEpoch(join(staging, 'last'))) !== null;
  });
  if (existsSync(outDir) && (await outputKind(outDir)) === 'run') {
    for (const name of ['last', 'best']) await recoverCheckpoint(join(outDir, name));
  }
}

/** Recovers the run in `outDir` and reads where it is; an error says why there is nothing to resume. */
export async function openRunFolder(outDir: string): Promise<TrainerState> {
  await recoverRun(outDir);
  if (!existsSync(outDir)) throw new OutputFolderError(`${outDir}: no run to resume there`);
  if ((await outputKind(outDir)) !== 'run') {
    throw new OutputFolderError(`${outDir}: is not an lgpt run (no lgpt-output.json)`);
  }
  const last = join(outDir, 'last');
  if ((await checkpointEpoch(last)) === null) {
    throw new OutputFolderError(`${outDir}: has no complete checkpoint in last/ to resume from`);
  }
  return readTrainerState(last);
}
