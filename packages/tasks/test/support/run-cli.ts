import { vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lgpt …` in process and captures what it prints; an error `runCli` throws (a bug, or a
 * failure past the checks) comes back as exit code 1 with its message.
 */
export async function lgpt(...argv: string[]): Promise<CliResult> {
  const printed = { stdout: '', stderr: '' };
  try {
    return await lgptThrowing(printed, argv);
  } catch (error) {
    return {
      code: 1,
      stdout: printed.stdout,
      stderr: `${printed.stderr}${(error as Error).message}`,
    };
  }
}

/** The same, but an error `runCli` throws is thrown (the bin prints its message). */
export function lgptOrThrow(...argv: string[]): Promise<CliResult> {
  return lgptThrowing({ stdout: '', stderr: '' }, argv);
}

async function lgptThrowing(
  printed: { stdout: string; stderr: string },
  argv: string[],
): Promise<CliResult> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    printed.stderr += String(chunk);
    return true;
  });
  try {
    return { code: await runCli(argv), ...printed };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
