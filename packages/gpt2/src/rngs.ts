import type { Rng } from '@lgpt/core';

/**
 * The generators a layer draws from: `initRng` for its initial weights, `dropoutRng` for dropout
 * masks. Unset means the default generator (`manualSeed`).
 */
export interface LayerRngs {
  initRng?: Rng;
  dropoutRng?: Rng;
}
