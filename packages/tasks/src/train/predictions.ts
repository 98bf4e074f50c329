import { type WriteOptions, writeTextFile } from './write-file.js';

/**
 * Prediction files in the reference's exact formats, spaces included: a header
 * `id \t <column> \n`, then `<id>, <prediction> \n` per example (`classifier.py` and
 * `paraphrase_detection.py`), and the generated-sonnets file of `sonnet_generation.py`.
 */

export interface Prediction {
  id: string;
  prediction: number | string;
}

export interface GeneratedSonnet {
  /** The reference numbers sonnets by their position in the held-out file (0, 1, …). */
  id: number | string;
  /** The full sonnet: the prompt lines and the completion. */
  text: string;
}

export const SENTIMENT_COLUMN = 'Predicted_Sentiment';
/** The reference writes the predicted token ids here: 8505 ("yes") or 3919 ("no"). */
export const PARAPHRASE_COLUMN = 'Predicted_Is_Paraphrase';

export function formatPredictions(column: string, rows: readonly Prediction[]): string {
  const lines = rows.map(({ id, prediction }) => {
    if (/[\n\r]/.test(id))
      throw new Error(`prediction id ${JSON.stringify(id)} contains a newline`);
    return `${id}, ${prediction} \n`;
  });
  return `id \t ${column} \n${lines.join('')}`;
}

/** `--Generated Sonnets-- \n\n`, then `\n<id>\n<text>\n\n` per sonnet. */
export function formatGeneratedSonnets(sonnets: readonly GeneratedSonnet[]): string {
  return `--Generated Sonnets-- \n\n${sonnets.map(({ id, text }) => `\n${id}\n${text}\n\n`).join('')}`;
}

export async function writeSentimentPredictions(
  path: string,
  rows: readonly Prediction[],
  options: WriteOptions = {},
): Promise<void> {
  return writeTextFile(path, formatPredictions(SENTIMENT_COLUMN, rows), options);
}

export async function writeParaphrasePredictions(
  path: string,
  rows: readonly Prediction[],
  options: WriteOptions = {},
): Promise<void> {
  return writeTextFile(path, formatPredictions(PARAPHRASE_COLUMN, rows), options);
}

export async function writeGeneratedSonnets(
  path: string,
  sonnets: readonly GeneratedSonnet[],
  options: WriteOptions = {},
): Promise<void> {
  return writeTextFile(path, formatGeneratedSonnets(sonnets), options);
}
