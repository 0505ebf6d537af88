// Throwaway entry for tests: `jtai lists ...` without the rest of the CLI.
import { Command } from 'commander';
import { registerListsCommands } from '../../src/client/lists-commands';

const p = new Command('jtai');
registerListsCommands(p);
void p.parseAsync();
