import { vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';

/**
 * Runs `lgpt …` in process and captures what it prints; an error `runCli` throws (a bug, or a
 * failure past the checks) comes back as exit code 1 with its message.
 */
export async function lgpt(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runCli(argv), stdout, stderr };
  } catch (error) {
    return { code: 1, stdout, stderr: `${stderr}${(error as Error).message}` };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
