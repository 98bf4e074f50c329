import { writeTextFile } from './write-file.js';

export type JsonObject = Record<string, unknown>;

/** The file's JSON: run settings, one record per evaluation (e.g. per epoch), a final summary. */
export interface MetricsContent {
  meta: JsonObject;
  records: JsonObject[];
  summary: JsonObject | null;
}

/**
 * A JSON metrics file kept up to date during training: rewritten in full (atomically) after each
 * record, so it is valid JSON whenever a run stops. `create` refuses an existing file unless
 * `overwrite` is set; `open` continues one (resuming a run).
 */
export class MetricsFile {
  private constructor(
    readonly path: string,
    private readonly content: MetricsContent,
  ) {}

  static async create(
    path: string,
    { meta = {}, overwrite = false }: { meta?: JsonObject; overwrite?: boolean } = {},
  ): Promise<MetricsFile> {
    const file = new MetricsFile(path, { meta, records: [], summary: null });
    await writeTextFile(path, file.serialize(), { overwrite });
    return file;
  }

  static async open(path: string): Promise<MetricsFile> {
    const { readFile } = await import('node:fs/promises');
    let parsed: Partial<MetricsContent>;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path} is not a readable metrics file: ${(error as Error).message}`);
    }
    if (typeof parsed?.meta !== 'object' || !Array.isArray(parsed.records)) {
      throw new Error(`${path} is not a metrics file (expected { meta, records, summary })`);
    }
    return new MetricsFile(path, {
      meta: parsed.meta ?? {},
      records: parsed.records,
      summary: parsed.summary ?? null,
    });
  }

  get meta(): Readonly<JsonObject> {
    return this.content.meta;
  }

  get records(): readonly JsonObject[] {
    return this.content.records;
  }

  get summary(): Readonly<JsonObject> | null {
    return this.content.summary;
  }

  async append(record: JsonObject): Promise<void> {
    this.content.records.push(record);
    await this.save();
  }

  async setSummary(summary: JsonObject): Promise<void> {
    this.content.summary = summary;
    await this.save();
  }

  private save(): Promise<void> {
    // The file is this object's own, created (or opened) by it: replacing it is the point.
    return writeTextFile(this.path, this.serialize(), { overwrite: true });
  }

  private serialize(): string {
    return `${JSON.stringify(this.content, null, 2)}\n`;
  }
}
