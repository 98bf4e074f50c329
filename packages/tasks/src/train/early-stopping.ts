export interface EarlyStoppingOptions {
  /** `'max'` for accuracy/F1/chrF (default), `'min'` for a loss. */
  mode?: 'max' | 'min';
  /** Evaluations without improvement before stopping (default Infinity: never stop). */
  patience?: number;
  /** How much better than the best a value must be to count (default 0: strictly better). */
  minDelta?: number;
}

/** What `EarlyStopping` remembers; JSON-serialisable, so a resumed run carries on where it was. */
export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  epoch: number;
}

/**
 * Tracks a dev metric once per epoch: says when it improved (the reference saves its checkpoint
 * when `dev_acc > best_dev_acc`) and when `patience` epochs have passed without improvement.
 */
export class EarlyStopping {
  readonly mode: 'max' | 'min';
  readonly patience: number;
  readonly minDelta: number;
  private s: EarlyStoppingState = {
    best: null,
    bestEpoch: null,
    epochsWithoutImprovement: 0,
    epoch: 0,
  };

  constructor({
    mode = 'max',
    patience = Number.POSITIVE_INFINITY,
    minDelta = 0,
  }: EarlyStoppingOptions = {}) {
    if (!(patience >= 1)) throw new Error(`early stopping patience must be ≥ 1, got ${patience}`);
    if (!(minDelta >= 0)) throw new Error(`early stopping minDelta must be ≥ 0, got ${minDelta}`);
    this.mode = mode;
    this.patience = patience;
    this.minDelta = minDelta;
  }

  get best(): number | null {
    return this.s.best;
  }

  get bestEpoch(): number | null {
    return this.s.bestEpoch;
  }

  /** Records this epoch's value. `improved`: keep this checkpoint; `stop`: end training. */
  update(value: number): { improved: boolean; stop: boolean } {
    if (Number.isNaN(value)) throw new Error('early stopping got NaN as the dev metric');
    const { best } = this.s;
    const improved =
      best === null ||
      (this.mode === 'max' ? value > best + this.minDelta : value < best - this.minDelta);
    if (improved) {
      this.s.best = value;
      this.s.bestEpoch = this.s.epoch;
      this.s.epochsWithoutImprovement = 0;
    } else {
      this.s.epochsWithoutImprovement += 1;
    }
    this.s.epoch += 1;
    return { improved, stop: this.s.epochsWithoutImprovement >= this.patience };
  }

  state(): EarlyStoppingState {
    return { ...this.s };
  }

  /** Continues from a saved `state()`. */
  restore(state: EarlyStoppingState): void {
    this.s = { ...state };
  }
}
