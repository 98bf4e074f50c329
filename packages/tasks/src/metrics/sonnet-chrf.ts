import { readTextFile } from '../data/read-text.js';
import { splitSonnets } from '../data/sonnets.js';
import { universalNewlines } from '../text/python-strings.js';
import { type ChrfOptions, type ChrfScore, corpusChrf } from './chrf.js';

export interface SonnetChrfScore extends ChrfScore {
  /** Sonnets scored: the reference truncates both lists to the shorter one. */
  compared: number;
  generatedCount: number;
  goldCount: number;
}

/**
 * The reference's `evaluation.test_sonnet`: split the generated-sonnets text and the gold text on
 * sonnet numbers, keep the first `min(len)` of each, and score them as one corpus (default chrF,
 * sacrebleu defaults). The counts are returned so a caller can report what the protocol dropped.
 */
export function sonnetChrf(
  generatedText: string,
  goldText: string,
  options: ChrfOptions = {},
): SonnetChrfScore {
  const generated = splitSonnets(universalNewlines(generatedText));
  const gold = splitSonnets(universalNewlines(goldText));
  const compared = Math.min(generated.length, gold.length);
  if (compared === 0) {
    throw new Error(
      `sonnet chrF: nothing to compare (${generated.length} generated, ${gold.length} gold sonnets)`,
    );
  }
  const score = corpusChrf(generated.slice(0, compared), gold.slice(0, compared), options);
  return { ...score, compared, generatedCount: generated.length, goldCount: gold.length };
}

/** `sonnetChrf` on two files (e.g. `generated_sonnets.txt` and `TRUE_sonnets_held_out_dev.txt`). */
export async function sonnetChrfFiles(
  generatedPath: string,
  goldPath: string,
  options: ChrfOptions = {},
): Promise<SonnetChrfScore> {
  return sonnetChrf(await readTextFile(generatedPath), await readTextFile(goldPath), options);
}
