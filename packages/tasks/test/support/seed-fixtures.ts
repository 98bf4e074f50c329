import { readFileSync } from 'node:fs';
import { fixturePath } from '@lgpt/core/testing';

/** A file of the repository's `fixtures/seed/` (golden trajectories of the original Learnable-GPT code). */
export function seedFixturePath(name: string): string {
  return fixturePath('seed', name);
}

export interface SeedFixture {
  task: 'sentiment' | 'paraphrase' | 'sonnet';
  model: string;
  fine_tune_mode: string;
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
  loss_divisor_args_batch_size: number | null;
  losses: number[];
  trainable: { count: number; numel: number; names: string[] };
  requires_grad_but_no_grad: string[];
  files: { init: string; final: string; outputs: string };
}

export interface SeedGolden {
  checkpoint: {
    vocab_size: number;
    n_positions: number;
    n_embd: number;
    n_layer: number;
    n_head: number;
  };
  n_steps: number;
  step_batches: number[];
  fixtures: Record<string, SeedFixture>;
}

export function seedGolden(): SeedGolden {
  return JSON.parse(readFileSync(seedFixturePath('golden.json'), 'utf8')) as SeedGolden;
}
