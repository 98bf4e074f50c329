// Case 1: GPT-2 small forward, batch 8 x 128 tokens (or --batch, --length), eval mode, logits for
// every position (as Hugging Face's forward).
import { GPT2LMHeadModel, gpt2Preset } from '@lgpt/gpt2';
import { args, randomIds, report, settle, setup, timeRuns } from './common.mjs';
import { gpt2ForwardFlops } from './flops.mjs';
import { forwardRuns } from './timing.mjs';

await setup();
const [batch, length] = [Number(args.batch ?? 8), Number(args.length ?? 128)];
const model = new GPT2LMHeadModel(gpt2Preset('gpt2')).eval();
const ids = randomIds(batch, length, model.config.vocabSize);

const time = await timeRuns(
  async () => {
    const { logits } = model.forward(ids);
    await settle(logits);
    logits.dispose();
  },
  { runs: forwardRuns(batch, length, args.quick) },
);
report({
  case: batch === 8 && length === 128 ? 'gpt2-forward' : `gpt2-forward-${batch}x${length}`,
  ...time,
  tokens_per_s: (batch * length * 1000) / time.ms,
  flops: gpt2ForwardFlops(model.config, batch, length),
});
