import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RngState } from '@lgpt/core';
import type { EarlyStoppingState } from './early-stopping.js';
import { JsonFields, readJsonRecord } from './json-fields.js';

export const TRAINER_FILE = 'trainer.json';

/** One epoch's line in `metrics.json`: its number, losses, dev metrics, lr, whether it improved. */
export type EpochRecord = Record<string, number | boolean>;

/**
 * Where a run is, saved in `last/trainer.json` with the weights and `optimizer.safetensors` of the
 * same moment: with `run.json`'s options, everything a continuation needs. The data order needs
 * nothing more: an epoch's batches depend only on (seed, epoch).
 */
export interface TrainerState {
  /** Epochs finished. */
  epoch: number;
  /** Optimizer steps taken (the schedule's position). */
  step: number;
  /** Early stopping ended the run. */
  stopped: boolean;
  earlyStopping: EarlyStoppingState;
  /** Dev metrics of the best epoch so far. */
  best: Record<string, number> | null;
  /** The default generator's state (dropout masks and anything else drawn from `manualSeed`'s stream). */
  rng: RngState;
  /** Every finished epoch's record: `metrics.json` is rebuilt from these on resume. */
  records: EpochRecord[];
}

export async function writeTrainerState(dir: string, state: TrainerState): Promise<void> {
  await writeFile(join(dir, TRAINER_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** `dir/trainer.json`, every field checked. */
export async function readTrainerState(dir: string): Promise<TrainerState> {
  const path = join(dir, TRAINER_FILE);
  const f = new JsonFields(path, await readJsonRecord(path));
  const count = { integer: true, min: 0 };
  const stopping = f.object('earlyStopping');
  const rng = f.object('rng');
  return {
    epoch: f.number('epoch', count),
    step: f.number('step', count),
    stopped: f.boolean('stopped'),
    earlyStopping: {
      best: stopping.nullable('best', (k) => stopping.number(k)),
      bestEpoch: stopping.nullable('bestEpoch', (k) => stopping.number(k, count)),
      epochsWithoutImprovement: stopping.number('epochsWithoutImprovement', count),
      epoch: stopping.number('epoch', count),
    },
    best: f.nullable('best', (k) => f.numbers(k)),
    rng: {
      words: rng.numberArray('words', 4, {
        integer: true,
        min: 0,
        max: 0xffffffff,
      }) as RngState['words'],
      spareNormal: rng.nullable('spareNormal', (k) => rng.number(k)),
    },
    records: f.objects('records').map((record) => epochRecord(record)),
  };
}

function epochRecord(f: JsonFields): EpochRecord {
  return Object.fromEntries(
    Object.keys(f.value).map((key) => [
      key,
      typeof f.value[key] === 'boolean' ? f.boolean(key) : f.number(key),
    ]),
  );
}
