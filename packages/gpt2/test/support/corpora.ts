import { readFileSync } from 'node:fs';
import { DATA_DIR } from './fixtures.js';

/** Every sentence of the SST train/dev/test files (tab-separated, header `\tid\tsentence…`). */
export function sstSentences(): string[] {
  const out: string[] = [];
  for (const file of ['ids-sst-train.csv', 'ids-sst-dev.csv', 'ids-sst-test-student.csv']) {
    const [header, ...lines] = readFileSync(`${DATA_DIR}${file}`, 'utf8').split('\n');
    const column = header.split('\t').indexOf('sentence');
    for (const line of lines) if (line.trim()) out.push(line.split('\t')[column]);
  }
  return out;
}

/** Every sonnet (text between the number lines) of the sonnet files, plus each file whole. */
export function sonnets(): string[] {
  const out: string[] = [];
  for (const file of ['sonnets.txt', 'sonnets_held_out.txt', 'TRUE_sonnets_held_out_dev.txt']) {
    const text = readFileSync(`${DATA_DIR}${file}`, 'utf8');
    out.push(text, ...text.split(/\n\s*\d+\s*\n/).slice(1));
  }
  return out;
}
