import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = fileURLToPath(new URL('../../../../data/cs224n/', import.meta.url));

/** A data folder with the first `lines` lines of each bundled CS224N file (for quick CLI runs). */
export async function smallDataDir(lines: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lgpt-data-'));
  const tsv = ['ids-sst-train.csv', 'ids-sst-dev.csv', 'ids-sst-test-student.csv', 'quora-dev.csv'];
  for (const file of tsv) {
    const text = await readFile(join(DATA_DIR, file), 'utf8');
    await writeFile(join(dir, file), `${text.split('\n').slice(0, lines).join('\n')}\n`);
  }
  for (const file of [
    'sonnets.txt',
    'sonnets_held_out.txt',
    'sonnets_held_out_dev.txt',
    'TRUE_sonnets_held_out_dev.txt',
  ]) {
    await writeFile(join(dir, file), await readFile(join(DATA_DIR, file)));
  }
  return dir;
}
