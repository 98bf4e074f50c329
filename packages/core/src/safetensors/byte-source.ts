/** Random access to the bytes of a file (read on demand) or of a buffer already in memory. */
export interface ByteSource {
  readonly label: string;
  readonly size: number;
  /** Reads `length` bytes at `offset` into a fresh, 8-byte aligned buffer. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Delivers the `length` bytes at `offset` in order, piece by piece, as `write(piece, at)` (`at`:
   * where the piece starts within the range), so that a reader can put them where they belong
   * (a tensor's memory) without first holding the whole range in a buffer of its own. A piece may
   * be reused once `write` returns: copy it, do not keep it. Throws as `read` does.
   */
  stream(offset: number, length: number, write: PieceWriter): Promise<void>;
  close(): Promise<void>;
}

/** Takes one piece of a streamed range: `at` is the piece's offset within the range. */
export type PieceWriter = (piece: Uint8Array, at: number) => void;

/** Bytes the file source reads per piece when streaming: large reads, small memory. */
const FILE_PIECE_BYTES = 1 << 20;

/** A `ByteSource` over bytes already in memory. */
export function bufferByteSource(bytes: Uint8Array, label: string): ByteSource {
  return {
    label,
    size: bytes.byteLength,
    read: async (offset, length) => bytes.slice(offset, offset + length),
    stream: async (offset, length, write) => {
      if (length > 0) write(bytes.subarray(offset, offset + length), 0);
    },
    close: async () => {},
  };
}

export async function openByteSource(
  source: string | Uint8Array | ArrayBuffer,
): Promise<ByteSource> {
  if (typeof source !== 'string') {
    return bufferByteSource(
      source instanceof Uint8Array ? source : new Uint8Array(source),
      '<bytes>',
    );
  }
  const { open } = await import('node:fs/promises');
  const handle = await open(source, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot open safetensors file '${source}': ${error.code ?? error.message}`);
  });
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    // Opening a directory succeeds on Linux; only the first read would fail (EISDIR).
    throw new Error(
      `cannot open safetensors file '${source}': it is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}`,
    );
  }
  /** Fills `out[start, end)` from the file at `offset`; a short file is an error, never zeros. */
  const fill = async (out: Uint8Array, start: number, end: number, offset: number) => {
    for (let done = start; done < end; ) {
      const { bytesRead } = await handle.read(out, done, end - done, offset + done - start);
      if (bytesRead === 0)
        throw new Error(`${source}: unexpected end of file at byte ${offset + done - start}`);
      done += bytesRead;
    }
  };
  return {
    label: source,
    size: stats.size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      await fill(out, 0, length, offset);
      return out;
    },
    async stream(offset, length, write) {
      const piece = new Uint8Array(Math.min(length, FILE_PIECE_BYTES));
      for (let at = 0; at < length; at += piece.byteLength) {
        const n = Math.min(piece.byteLength, length - at);
        await fill(piece, 0, n, offset + at);
        write(piece.subarray(0, n), at);
      }
    },
    close: () => handle.close(),
  };
}
