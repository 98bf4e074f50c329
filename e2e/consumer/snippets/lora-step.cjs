// CommonJS consumer: the same step through the packages' `require` builds.
const { initBackend, Linear, Module, manualSeed } = require('@lgpt/core');
const { getPeftModel } = require('@lgpt/lora');
const tf = require('@tensorflow/tfjs-core');

class Mlp extends Module {
  constructor() {
    super();
    this.fc = this.registerModule('fc', new Linear(8, 16));
    this.head = this.registerModule('head', new Linear(16, 2));
  }
  forward(x) {
    return this.head.forward(tf.relu(this.fc.forward(x)));
  }
}

async function main() {
  await initBackend('wasm');
  manualSeed(0);
  const peft = getPeftModel(new Mlp(), { r: 4, loraAlpha: 8, targetModules: ['fc'] });
  const x = tf.randomNormal([4, 8]);
  const y = tf.randomNormal([4, 2]);
  const loss = () => tf.losses.meanSquaredError(y, peft.forward(x));

  // No variable list: tfjs differentiates every trainable variable, so frozen weights must not be.
  const { value, grads } = tf.variableGrads(loss);
  const names = new Map(peft.namedParameters().map(([name, p]) => [p.name, name]));
  const graded = Object.keys(grads).map((v) => names.get(v) ?? `unknown variable ${v}`);
  const expected = [
    'base_model.model.fc.lora_A.default.weight',
    'base_model.model.fc.lora_B.default.weight',
  ];
  if (JSON.stringify([...graded].sort()) !== JSON.stringify(expected)) {
    throw new Error(`expected gradients for ${expected.join(', ')} only, got ${graded.join(', ')}`);
  }
  tf.train.sgd(0.1).applyGradients(grads);
  const before = (await value.data())[0];
  const after = (await loss().data())[0];
  if (!(after < before)) throw new Error(`loss did not fall: ${before} → ${after}`);
  console.log(
    `cjs: ${tf.getBackend()}, loss ${before.toFixed(4)} → ${after.toFixed(4)}, gradients for ${graded.join(', ')}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
