/**
 * Refuses a shard name from a `weight_map` that could leave the checkpoint: an absolute path, a
 * URL, a `..` segment or a backslash. Shard names in Hugging Face indexes are plain file names
 * (`model-00001-of-00002.safetensors`), sometimes in a subfolder.
 */
export function checkShardName(name: string, indexLabel: string): void {
  const segments = name.split('/');
  if (
    name === '' ||
    name.startsWith('/') ||
    /^[a-z][a-z0-9+.-]*:/i.test(name) ||
    name.includes('\\') ||
    segments.some((s) => s === '..' || s === '.' || s === '')
  ) {
    throw new Error(
      `${indexLabel}: weight_map names shard ${JSON.stringify(name)}, which is not a file inside the checkpoint`,
    );
  }
}
