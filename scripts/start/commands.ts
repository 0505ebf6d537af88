import path from 'node:path';
import { REPO_ROOT } from '../temporal-binaries';

export interface AppCommand {
  command: string;
  args: string[];
  /** The entry file: checked to exist before starting, and the marker that identifies the process later. */
  file: string;
}

/**
 * The one place where `npm start` chooses how the worker and the web app run. Today: their TypeScript sources
 * through tsx, in one node process each (no tsx wrapper process, so the pid we supervise is the app itself).
 * A build step changes only this function (e.g. `node dist/worker/main.js`).
 */
export function appCommands(root = REPO_ROOT): Record<'worker' | 'web', AppCommand> {
  const tsx = (file: string): AppCommand => ({
    command: process.execPath,
    args: ['--import', 'tsx', file],
    file,
  });
  return {
    worker: tsx(path.join(root, 'src', 'worker', 'main.ts')),
    web: tsx(path.join(root, 'src', 'web', 'server.ts')),
  };
}
