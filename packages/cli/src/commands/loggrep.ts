import { UsageError } from '@esc/core';
import { newCommand, runAction, type Command } from '../command-kit.js';

// Placeholder until the loggrep feature lands: it refuses to run rather than pretend.
export function createCommand(): Command {
  return newCommand('loggrep', 'not implemented yet')
    .allowUnknownOption()
    .argument('[args...]')
    .action(
      runAction(() => {
        throw new UsageError('loggrep is not implemented yet');
      }),
    );
}
