import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ChrfOptions,
  chrfStatistics,
  corpusChrf,
  sentenceChrf,
  sonnetChrf,
  sonnetChrfFiles,
  splitSonnets,
} from '../src/index.js';

const FIXTURE = join(__dirname, 'fixtures', 'chrf');
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8'));
const pairs = golden.pairs as { name: string; hypothesis: string; reference: string }[];
const hypotheses = pairs.map((p) => p.hypothesis);
const references = pairs.map((p) => p.reference);

interface MetricGolden {
  options: Record<string, number | boolean>;
  corpus_score: number;
  corpus_score_str: string;
  sentence_scores: number[];
  segment_statistics: number[][];
  multi_ref_sentence_score: number;
}

/** sacrebleu's option names → ours. */
function options(o: Record<string, number | boolean>): ChrfOptions {
  return {
    charOrder: o.char_order as number,
    wordOrder: o.word_order as number,
    beta: o.beta as number,
    lowercase: o.lowercase as boolean,
    whitespace: o.whitespace as boolean,
    epsSmoothing: o.eps_smoothing as boolean,
  };
}

/** Scores are float64 on a 0–100 scale; the fixture README allows 1e-9. */
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(1e-9);

describe('chrF / chrF++ (sacrebleu CHRF)', () => {
  for (const [metric, expected] of Object.entries(golden.metrics) as [string, MetricGolden][]) {
    const opts = options(expected.options);

    it(`${metric}: exact segment statistics for every pair`, () => {
      expect(chrfStatistics(hypotheses, references, opts)).toEqual(expected.segment_statistics);
    });

    it(`${metric}: sentence scores`, () => {
      pairs.forEach((pair, i) => {
        close(
          sentenceChrf(pair.hypothesis, [pair.reference], opts).score,
          expected.sentence_scores[i],
        );
      });
    });

    it(`${metric}: corpus score and name`, () => {
      const score = corpusChrf(hypotheses, [references], opts);
      close(score.score, expected.corpus_score);
      // sacrebleu prints `chrF2 = 58.50`.
      expect(`${score.name} = ${score.score.toFixed(2)}`).toBe(expected.corpus_score_str);
      // One stream may also be passed bare.
      expect(corpusChrf(hypotheses, references, opts)).toEqual(score);
    });

    it(`${metric}: several references keep the best one`, () => {
      const { hypothesis, references: refs } = golden.multi_ref_case;
      close(sentenceChrf(hypothesis, refs, opts).score, expected.multi_ref_sentence_score);
      const single = refs.map((r: string) => sentenceChrf(hypothesis, [r], opts).score);
      close(expected.multi_ref_sentence_score, Math.max(...single));
    });
  }

  it('scores the generated sonnets like evaluation.test_sonnet', async () => {
    const s = golden.sonnets;
    const generatedText = readFileSync(join(FIXTURE, 'generated_sonnets.txt'), 'utf8');
    expect(splitSonnets(generatedText)).toEqual(s.generated_split);
    const gold = join(FIXTURE, 'TRUE_sonnets_held_out_dev.txt');
    const chrf = await sonnetChrfFiles(join(FIXTURE, 'generated_sonnets.txt'), gold);
    close(chrf.score, s.corpus_chrF);
    expect(chrf).toMatchObject({
      compared: s.num_compared,
      generatedCount: s.num_generated_sonnets,
      goldCount: s.num_gold_sonnets,
    });
    const goldText = readFileSync(gold, 'utf8');
    close(sonnetChrf(generatedText, goldText, { wordOrder: 2 }).score, s['corpus_chrF++']);
    const goldSplit = splitSonnets(goldText.replace(/\r\n?/g, '\n'));
    expect(goldSplit[0].startsWith(s.gold_first_split_head)).toBe(true);
    s.generated_split.forEach((hyp: string, i: number) => {
      close(sentenceChrf(hyp, [goldSplit[i]]).score, s.sentence_chrF[i]);
    });
  });

  it('rejects mismatched streams instead of truncating', () => {
    expect(() => corpusChrf(['a', 'b'], [['a']])).toThrow('reference stream 0 has 1 segments');
    expect(() => sonnetChrf('no numbers here', '\n1\nA sonnet\n')).toThrow('nothing to compare');
  });

  // Values from sacrebleu at the fixtures' revision (README): CHRF().sentence_score / corpus_score.
  it('scores a segment with an empty reference 0 and leaves it out of the corpus statistics', () => {
    expect(sentenceChrf('a', ['']).score).toBe(0);
    expect(chrfStatistics(['a'], [''])).toEqual([new Array(18).fill(0)]);
    for (const wordOrder of [0, 2]) {
      const hyps = ['the cat', 'the cow'];
      const refs = ['the cat', 'the dog'];
      const without = corpusChrf(hyps, refs, { wordOrder });
      const withEmpty = corpusChrf([...hyps, 'abc'], [...refs, ''], { wordOrder });
      expect(withEmpty.statistics).toEqual(without.statistics);
      expect(withEmpty.score).toBe(without.score);
    }
    close(corpusChrf(['the cat', 'the cow'], ['the cat', 'the dog']).score, 60.972222222222214);
  });

  it('treats an empty reference among several like sacrebleu: first wins a tie at 0', () => {
    expect(sentenceChrf('the cat', ['', 'the cat']).score).toBe(100);
    // sacrebleu: "xyz" scores 0 against both; the empty reference, first, gives all-zero stats.
    expect(chrfStatistics(['xyz'], [[''], ['the cat']])).toEqual([new Array(18).fill(0)]);
    expect(chrfStatistics(['xyz'], [['the cat'], ['']])).toEqual([
      [3, 6, 0, 2, 5, 0, 1, 4, 0, 0, 3, 0, 0, 2, 0, 0, 1, 0],
    ]);
  });
});
