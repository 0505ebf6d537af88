// `npm start`: builds dist/ when it is missing or older than the sources (so a fresh clone needs only
// `npm install && npm start`), then runs the compiled supervisor, dist/start.js (scripts/start.ts), in this
// process: the pid npm started is the supervisor's, and signals npm passes on reach it.
//
// After `npm run build && npm install --omit=dev` there is nothing to build with: dist/ runs as it is, with a
// warning if the sources changed since.
'use strict';
const path = require('node:path');
const { ROOT, distState, canBuild, build, say } = require('./dist');

async function main() {
  const dist = distState();
  if (dist.state !== 'fresh') {
    if (canBuild()) {
      const code = await build(ROOT, ['--if-stale']);
      if (code !== 0) {
        say('start', 'error', `the build failed (exit ${code}): nothing was started.`);
        process.exit(1);
      }
    } else if (dist.state === 'missing') {
      say(
        'start',
        'error',
        `${dist.why}, and this install cannot build it (no development dependencies): ` +
          'run npm install, then npm start (or npm run build).',
      );
      process.exit(1);
    } else {
      say(
        'start',
        'warn',
        `${dist.why}; running dist/ as it is (this install cannot build: no tsx, esbuild).`,
      );
    }
  }
  require(path.join(ROOT, 'dist', 'start.js'));
}

main().catch((err) => {
  say('start', 'error', err instanceof Error ? err.message : String(err));
  process.exit(1);
});
