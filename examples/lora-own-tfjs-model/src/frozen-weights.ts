import type * as tfl from '@tensorflow/tfjs-layers';

type LayerVariable = tfl.LayersModel['weights'][number];

/** Copies of every weight's values, to prove afterwards that training left them alone. */
export type WeightSnapshot = [LayerVariable, Float32Array][];

export async function snapshotWeights(model: tfl.LayersModel): Promise<WeightSnapshot> {
  return Promise.all(
    model.weights.map(
      async (w) => [w, (await w.read().data()) as Float32Array] as [LayerVariable, Float32Array],
    ),
  );
}

/** The largest |now − then| over every snapshotted weight (0: bit-identical). */
export async function largestChange(snapshot: WeightSnapshot): Promise<number> {
  let worst = 0;
  for (const [weight, before] of snapshot) {
    const now = await weight.read().data();
    for (let i = 0; i < before.length; i++) worst = Math.max(worst, Math.abs(now[i] - before[i]));
  }
  return worst;
}
