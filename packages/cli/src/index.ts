export { COMMANDS, type CommandEntry, type CommandModule } from './command-registry.js';
