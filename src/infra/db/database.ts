import { AsyncLocalStorage } from 'node:async_hooks';

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
   * rethrown). Use only `tx` inside: a query on the database itself from inside `work` is refused (see
   * `guardTransactions`).
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

const insideTransaction = new AsyncLocalStorage<{ db: Database; open: boolean }>();

/**
 * Refuses a query or a transaction on the database from inside one of its own transactions. On PGlite, which
 * has one connection, it would wait for that transaction to end, for ever; on PostgreSQL it would run on
 * another connection, outside the transaction, and silently lose its atomicity. Both implementations are
 * wrapped in this, so the mistake fails the same way, at once, on either.
 */
export function guardTransactions(db: Database): Database {
  const refuseInside = () => {
    const inside = insideTransaction.getStore();
    if (inside?.open && inside.db === db)
      throw new Error(
        'A query on the database inside one of its transactions: use the `tx` the transaction gives.',
      );
  };
  return {
    kind: db.kind,
    query: (sql, params) => {
      refuseInside();
      return db.query(sql, params);
    },
    exec: (sql) => {
      refuseInside();
      return db.exec(sql);
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      refuseInside();
      const marker = { db, open: true };
      try {
        return await db.transaction((tx) => insideTransaction.run(marker, () => work(tx)));
      } finally {
        // Work started inside and still running after the end (not awaited) may use the database again.
        marker.open = false;
      }
    },
    close: () => db.close(),
  };
}
