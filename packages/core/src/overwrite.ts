/**
 * The one check before lgpt writes a user's file: unless `overwrite` is set, an existing `path`
 * is an error that names it and says how to replace it. Every file is checked before any is
 * written, so a refused save leaves the folder as it was.
 */
export async function refuseOverwrite(
  paths: readonly string[],
  overwrite: boolean | undefined,
): Promise<void> {
  if (overwrite) return;
  const { stat } = await import('node:fs/promises');
  for (const path of paths) {
    if (await stat(path).catch(() => null)) {
      throw new Error(`${path} already exists; pass { overwrite: true } to replace it`);
    }
  }
}
