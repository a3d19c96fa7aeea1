import { UsageError } from '@esc/core';
import { newCommand, runAction, type Command } from '../command-kit.js';

// Placeholder until the kv feature lands: it refuses to run rather than pretend.
export function createCommand(): Command {
  return newCommand('kv', 'not implemented yet')
    .allowUnknownOption()
    .argument('[args...]')
    .action(
      runAction(() => {
        throw new UsageError('kv is not implemented yet');
      }),
    );
}
