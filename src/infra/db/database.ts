/**
 * The relational store's one interface. Two implementations speak the same SQL (PostgreSQL's):
 * a `pg` pool for a real server (production, several web instances), and PGlite, PostgreSQL compiled to
 * WebAssembly, for a fresh machine with no server. Repositories take a `Queryable`, so the same code runs
 * on the database itself or inside one of its transactions.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with `$1…` parameters; its rows (none for a statement without RETURNING). */
  query: <R extends Row = Row>(sql: string, params?: readonly unknown[]) => Promise<R[]>;
  /** A script of several statements without parameters (migrations). */
  exec: (sql: string) => Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the error is
   * rethrown). Use only `tx` inside: on PGlite, which has one connection, a query on the database itself
   * waits for the transaction to end, so it would wait for ever.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Ends the pool or shuts the embedded database down cleanly (and frees its folder). */
  close(): Promise<void>;
}

/** Where the current time comes from: repositories take one so tests never depend on the real date. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/**
 * Both drivers are given the same value parsers so a row reads the same on either: `int8` (counts,
 * identity columns) as a JavaScript number (`pg` gives a string by default, PGlite a number). Values stay
 * far below 2^53 here; a larger one is refused rather than rounded.
 */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return n;
}
export const INT8_OID = 20;

/**
 * Runs `work` in a transaction when `q` is the database, or as it is when `q` is already a transaction, so
 * a repository method that must change several rows together works on either.
 */
export function atomically<T>(q: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return 'transaction' in q ? (q as Database).transaction(work) : work(q);
}
