/**
 * Where a shard named in a sharded checkpoint's index (`model.safetensors.index.json`) lives, or an
 * error naming the index and the key. A shard name is a file next to the index: it may not be
 * absolute, carry a URL scheme, climb out with `..`, or (for an index fetched from a URL) resolve
 * to another origin. Pure string handling, so a loader reading from disk and one fetching over HTTP
 * apply the same rule.
 */
export function resolveShardLocation(index: string, shard: unknown, key: string): string {
  const where = `${index}: weight_map[${JSON.stringify(key)}]`;
  if (typeof shard !== 'string' || shard === '') {
    throw new Error(
      `${where} must be a shard file name (a non-empty string), got ${JSON.stringify(shard)}`,
    );
  }
  const refuse = (why: string): never => {
    throw new Error(`${where} = ${JSON.stringify(shard)} is refused: ${why}`);
  };
  if (shard.includes('\0')) refuse('it contains a NUL character');
  if (/^[/\\]/.test(shard) || /^[A-Za-z]:/.test(shard)) {
    refuse('a shard must be a relative file name next to the index, not an absolute path');
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(shard)) refuse('a shard name may not be a URL');
  if (shard.split(/[/\\]/).includes('..')) refuse("'..' would leave the checkpoint folder");
  if (isUrl(index)) {
    const base = new URL(index);
    const resolved = new URL(shard, base);
    if (resolved.origin !== base.origin) refuse(`it points to another host than ${base.origin}`);
    return resolved.href;
  }
  const slash = Math.max(index.lastIndexOf('/'), index.lastIndexOf('\\'));
  return slash < 0 ? shard : `${index.slice(0, slash + 1)}${shard}`;
}

function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}
