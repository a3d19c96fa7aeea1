import { UsageError } from '@esc/core';
import { newCommand, runAction, type Command } from '../command-kit.js';

// Placeholder until the logread feature lands: it refuses to run rather than pretend.
export function createCommand(): Command {
  return newCommand('logread', 'not implemented yet')
    .allowUnknownOption()
    .argument('[args...]')
    .action(
      runAction(() => {
        throw new UsageError('logread is not implemented yet');
      }),
    );
}
