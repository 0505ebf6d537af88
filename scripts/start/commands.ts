import path from 'node:path';
import { REPO_ROOT } from '../temporal-binaries';

export interface AppCommand {
  command: string;
  args: string[];
  /** The entry file: checked to exist before starting, and the marker that identifies the process later. */
  file: string;
}

/**
 * The one place where `npm start` chooses how the worker and the web app run: the way it runs itself. Compiled
 * (dist/start.js, what `npm start` runs): `node dist/worker/main.js` and `node dist/web/server.js`. From the
 * sources (`npm run start:dev`): their TypeScript through tsx. One node process each either way (no wrapper
 * process), so the pid we supervise is the app itself.
 */
export function appCommands(
  root = REPO_ROOT,
  compiled = !__filename.endsWith('.ts'),
): Record<'worker' | 'web', AppCommand> {
  const run = (entry: string): AppCommand => {
    const file = compiled ? path.join(root, 'dist', `${entry}.js`) : path.join(root, 'src', `${entry}.ts`);
    return { command: process.execPath, args: compiled ? [file] : ['--import', 'tsx', file], file };
  };
  return { worker: run('worker/main'), web: run('web/server') };
}
