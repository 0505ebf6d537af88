// Types of bin/compiled-cli.js for the TypeScript that uses it (scripts/build.ts, the tests).
export function loadCompiledCli(file: string): { main(): Promise<void> };
export function writeCodeCache(file: string, filename?: string): Promise<void>;
