// Case 1: GPT-2 small forward, batch 8 x 128 tokens, eval mode, logits for every position.
import { GPT2LMHeadModel, gpt2Preset } from '@lgpt/gpt2';
import { randomIds, report, settle, setup, timeRuns } from './common.mjs';

await setup();
const [batch, length] = [8, 128];
const model = new GPT2LMHeadModel(gpt2Preset('gpt2')).eval();
const ids = randomIds(batch, length, model.config.vocabSize);

const time = await timeRuns(async () => {
  const { logits } = model.forward(ids);
  await settle(logits);
  logits.dispose();
});
report({ case: 'gpt2-forward', ...time, tokens_per_s: (batch * length * 1000) / time.ms });
