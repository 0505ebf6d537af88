// Types of bin/dist.js for the TypeScript that uses it (scripts/build.ts, the tests).
export const ROOT: string;
export const STAMP: string;
export interface BuildStamp {
  startedAt: string;
  startedAtMs: number;
  /** The Temporal SDK the workflow bundle was built with. */
  sdk: string | undefined;
  /** Files outside src/ the build read, relative to the repository. */
  inputs: string[];
}
export type DistState = { state: 'fresh' } | { state: 'stale' | 'missing'; why: string };
export function distState(root?: string): DistState;
export function sdkVersion(root?: string): string | undefined;
export function canBuild(root?: string): boolean;
export function build(root?: string, args?: string[]): Promise<number>;
export function say(name: string, level: 'info' | 'warn' | 'error', msg: string): void;
