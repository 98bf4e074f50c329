/** Random access to the bytes of a file (read on demand) or of a buffer already in memory. */
export interface ByteSource {
  readonly label: string;
  readonly size: number;
  /** Reads `length` bytes at `offset` into a fresh, 8-byte aligned buffer. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openByteSource(
  source: string | Uint8Array | ArrayBuffer,
): Promise<ByteSource> {
  if (typeof source !== 'string') {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    return {
      label: '<bytes>',
      size: bytes.byteLength,
      read: async (offset, length) => bytes.slice(offset, offset + length),
      close: async () => {},
    };
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
  const { size } = stats;
  return {
    label: source,
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0)
          throw new Error(`${source}: unexpected end of file at byte ${offset + done}`);
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}
