// Loads the compiled CLI (dist/client/cli.js, one bundled file) with V8's code cache beside it
// (dist/client/cli.js.cache), which the build writes: most of a short command's CPU went on compiling the
// code it loads. Plain JavaScript with no dependency, like bin/dist.js.
//
// The cache is only ever read here, never written at run time (dist/ may be read-only, as in the image). V8
// refuses a cache made by another V8 or with other flags, and a missing one is no error: the code is then
// compiled as usual, only slower.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The cache file of a compiled file. */
const cacheOf = (file) => `${file}.cache`;

/** `file` compiled as a CommonJS module's body (with `cachedData` if given), not yet run. */
function scriptOf(file, cachedData, filename = file) {
  // The build writes it all ASCII (scripts/build.ts): Latin-1 reads it the same, without decoding UTF-8.
  const source = fs.readFileSync(file, 'latin1');
  return new vm.Script(Module.wrap(source), {
    filename,
    ...(cachedData ? { cachedData } : {}),
    // The bundle's own import() calls are compiled to require(); this is for any that a package makes.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Compiles and runs `file` as a CommonJS module (with `cachedData` if given); returns its exports and script. */
function compile(file, cachedData, filename = file) {
  const script = scriptOf(file, cachedData, filename);
  const mod = new Module(file, module);
  mod.filename = file;
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script };
}

/** Whether this node's V8 takes the build's code cache of `file` (for the build's own test). */
function cacheAccepted(file) {
  return !scriptOf(file, fs.readFileSync(cacheOf(file))).cachedDataRejected;
}

/**
 * The compiled CLI's exports, with the build's code cache when there is one V8 accepts. With JTAI_DEBUG, loaded
 * by node's own require with source maps on instead (no cache), so that stack traces name our sources' lines.
 */
function loadCompiledCli(file) {
  if (process.env.JTAI_DEBUG) {
    process.setSourceMapsEnabled(true);
    return require(file);
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheOf(file));
  } catch {
    // no cache: compile as usual
  }
  return compile(file, cachedData).exports;
}

/**
 * For the build, in a node of its own started as bin/jtai starts one: runs the CLI's warm-up (the commands
 * that need nothing outside run once), then writes the cache of all the code compiled, lazily compiled
 * functions included. `filename`: where the file will be run from (the cache keeps the name, which stack
 * traces show).
 */
async function writeCodeCache(file, filename = file) {
  const { exports, script } = compile(file, undefined, filename);
  await exports.warmUp();
  fs.writeFileSync(cacheOf(file), script.createCachedData());
}

module.exports = { cacheAccepted, loadCompiledCli, writeCodeCache };
