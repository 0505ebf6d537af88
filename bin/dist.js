// What dist/ holds and whether it is up to date, for the launchers (bin/jtai, bin/start.js), the build
// (scripts/build.ts) and the tests. Plain JavaScript with no dependency: it runs before anything is compiled,
// and after `npm install --omit=dev`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
/** Written last by the build, inside dist/. */
const STAMP = 'build.json';

/** The Temporal SDK's version: the workflow bundle embeds its workflow library, so a new one needs a new bundle. */
function sdkVersion(root = ROOT) {
  try {
    const file = require.resolve('@temporalio/workflow/package.json', { paths: [root] });
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * The first file or folder under `dir` changed after `sinceMs` (a folder's time changes when a file in it is
 * added, removed or renamed), as a path relative to `root`; undefined if none is. About a hundred stat calls.
 */
function changedUnder(root, dir, sinceMs) {
  let entries;
  try {
    if (fs.statSync(dir).mtimeMs > sinceMs) return path.relative(root, dir) + '/';
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const changed = changedUnder(root, full, sinceMs);
      if (changed) return changed;
    } else if (fs.statSync(full).mtimeMs > sinceMs) {
      return path.relative(root, full);
    }
  }
  return undefined;
}

/**
 * `fresh`: dist/ was built after the last change to src/, to the other files the build read (its stamp lists
 * them), and with the installed Temporal SDK. `stale`: built, but something changed since. `missing`: never built.
 */
function distState(root = ROOT) {
  const dist = path.join(root, 'dist');
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(dist, STAMP), 'utf8'));
  } catch {
    return fs.existsSync(dist)
      ? { state: 'stale', why: 'dist/ has no build stamp (an older or unfinished build)' }
      : { state: 'missing', why: 'dist/ has not been built' };
  }
  // An image or package that ships dist/ without the sources: nothing to compare it with.
  if (!fs.existsSync(path.join(root, 'src'))) return { state: 'fresh' };
  const since = stamp.startedAtMs;
  const changed =
    changedUnder(root, path.join(root, 'src'), since) ??
    (stamp.inputs || []).find((file) => {
      try {
        return fs.statSync(path.join(root, file)).mtimeMs > since;
      } catch {
        return true; // an input that is gone
      }
    });
  if (changed) return { state: 'stale', why: `${changed} changed since the last build` };
  const sdk = sdkVersion(root);
  if (sdk !== undefined && sdk !== stamp.sdk) {
    return { state: 'stale', why: `the Temporal SDK is ${sdk} now, ${stamp.sdk} when dist/ was built` };
  }
  return { state: 'fresh' };
}

/** Whether this install can build (tsx and esbuild are development dependencies). */
function canBuild(root = ROOT) {
  try {
    require.resolve('tsx', { paths: [root] });
    require.resolve('esbuild', { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

/** Runs `npm run build`'s script; resolves with its exit code. A signal to this process is passed on. */
function build(root = ROOT, args = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'build.ts'), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  const pass = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, pass);
  return new Promise((resolve) => {
    const done = (code) => {
      for (const signal of signals) process.off(signal, pass);
      resolve(code);
    };
    child.on('error', () => done(1));
    child.on('exit', (code, signal) => done(signal ? 1 : (code ?? 1)));
  });
}

/**
 * One line for people, or one JSON record for a log collector (as src/infra/log.ts decides: JTAI_LOG_FORMAT,
 * else a terminal gets the readable line), for what the launchers say before any compiled code runs.
 */
function say(name, level, msg) {
  const format = process.env.JTAI_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  const line =
    format === 'json'
      ? JSON.stringify({ level, time: new Date().toISOString(), pid: process.pid, name, msg })
      : `${name}: ${msg}`;
  (format === 'json' || level === 'info' ? process.stdout : process.stderr).write(line + '\n');
}

module.exports = { ROOT, STAMP, distState, sdkVersion, canBuild, build, say };
