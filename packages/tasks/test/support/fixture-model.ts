import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@lgpt/core/testing';
import { GPT2Tokenizer } from '@lgpt/gpt2';

const MODEL = fixturePath('gpt2', 'model');

/**
 * A Hugging Face GPT-2 folder as a user would bring one: the fixture checkpoint (a 1000-token
 * vocabulary, end-of-text = 999) plus a matching byte-level BPE tokenizer — GPT-2's first 743
 * merges, whose results are ids 256…998 in GPT-2's own vocabulary.
 */
export async function fixtureCheckpoint(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lgpt-fixture-gpt2-'));
  for (const file of ['config.json', 'model.safetensors'])
    await copyFile(join(MODEL, file), join(dir, file));
  const standard = join(dir, 'standard-tokenizer');
  await (await GPT2Tokenizer.load()).savePretrained(standard);
  const vocab = JSON.parse(await readFile(join(standard, 'vocab.json'), 'utf8')) as Record<
    string,
    number
  >;
  const [header, ...merges] = (await readFile(join(standard, 'merges.txt'), 'utf8')).split('\n');
  const kept = merges.slice(0, 743);
  kept.forEach((merge, rank) => {
    if (vocab[merge.replace(' ', '')] !== 256 + rank)
      throw new Error(`merge ${rank} is not id ${256 + rank}`);
  });
  const small = Object.fromEntries(Object.entries(vocab).filter(([, id]) => id < 999));
  small['<|endoftext|>'] = 999;
  await writeFile(join(dir, 'vocab.json'), JSON.stringify(small));
  await writeFile(join(dir, 'merges.txt'), `${[header, ...kept].join('\n')}\n`);
  await rm(standard, { recursive: true });
  return dir;
}
