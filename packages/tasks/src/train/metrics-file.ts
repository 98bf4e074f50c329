import { JsonFields, readJsonRecord } from './json-fields.js';
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
    await writeTextFile(path, serialize(file.content), { overwrite });
    return file;
  }

  /** Continues a metrics file; an error names the file and the key that is not as expected. */
  static async open(path: string): Promise<MetricsFile> {
    const f = new JsonFields(path, await readJsonRecord(path));
    return new MetricsFile(path, {
      meta: f.object('meta').value,
      records: f.objects('records').map((record) => record.value),
      summary: f.nullable('summary', (k) => f.object(k).value),
    });
  }

  /** Writes a whole metrics file at once (atomically), replacing the one at `path`. */
  static async write(path: string, content: MetricsContent): Promise<void> {
    await writeTextFile(path, serialize(content), { overwrite: true });
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
    return writeTextFile(this.path, serialize(this.content), { overwrite: true });
  }
}

function serialize(content: MetricsContent): string {
  return `${JSON.stringify(content, null, 2)}\n`;
}
