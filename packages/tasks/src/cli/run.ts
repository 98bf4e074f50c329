import { RunFileError } from '../train/json-fields.js';
import { OutputFolderError } from '../train/output-folder.js';
import { compareCommand } from './commands/compare.js';
import { evalCommand } from './commands/evaluate.js';
import { generateCommand } from './commands/generate.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { UsageError } from './options.js';

const COMMANDS: Record<string, [(argv: string[]) => Promise<void>, string]> = {
  train: [
    trainCommand,
    'fine-tune GPT-2 on sentiment, paraphrase or sonnet; keep the best checkpoint',
  ],
  eval: [evalCommand, "a checkpoint's dev metrics"],
  predict: [predictCommand, "write a checkpoint's prediction files"],
  generate: [generateCommand, 'continue a prompt with a model or checkpoint'],
  compare: [compareCommand, 'train several variants on one task and tabulate them'],
};

const HELP = `lgpt — GPT-2 with LoRA, KAN and graph attention on TensorFlow.js

Usage: lgpt <command> [options]    (lgpt <command> --help for its options)

Commands:
${Object.entries(COMMANDS)
  .map(([name, [, help]]) => `  ${name.padEnd(10)}${help}`)
  .join('\n')}

Example: lgpt train sentiment --model tiny
`;

/** Runs one `lgpt` command line; resolves to the exit code (2 for a usage error). */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  // Own keys only: `lgpt constructor` is an unknown command, not Object.prototype's.
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    process.stderr.write(
      `lgpt: unknown command '${command}' (known: ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 2;
  }
  try {
    await entry[0](rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof OutputFolderError) {
      process.stderr.write(`lgpt ${command}: ${error.message}\n`);
      return 2;
    }
    // A corrupt run file is the user's to fix, not a bug: its message names file and key.
    if (error instanceof RunFileError) {
      process.stderr.write(`lgpt ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
