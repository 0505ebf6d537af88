import { Pool, types, type PoolClient, type QueryResultRow } from 'pg';
import { guardTransactions, INT8_OID, parseInt8, type Database, type Queryable, type Row } from './database';

export interface PostgresOptions {
  /** `postgres://user:password@host:5432/jtai` (`?sslmode=require` and the other libpq settings work). */
  url: string;
  /** Connections per process; every web instance and worker has its own pool. */
  maxConnections?: number;
}

// Per pool, not the global `types.setTypeParser`, which would change every other pg user in the process.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : (types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof types.getTypeParser,
};

function queryable(client: Pool | PoolClient): Queryable {
  return {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await client.query<QueryResultRow>(sql, [...params]);
      return result.rows as R[];
    },
    async exec(sql: string): Promise<void> {
      // Without parameters pg uses the simple query protocol, which runs several statements.
      await client.query(sql);
    },
  };
}

/** A pool of connections to a PostgreSQL server. */
export function openPostgres(options: PostgresOptions): Database {
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    // A server that cannot be reached fails the request instead of hanging it.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped by the server (restart, failover) is removed from the pool by pg; without a
  // listener its 'error' event would end the process. The next query opens a new connection.
  pool.on('error', () => undefined);
  const direct = queryable(pool);
  return guardTransactions({
    kind: 'postgres',
    ...direct,
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable (the server went away): destroy it rather than return it to the pool.
          broken = rollbackError as Error;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      if (!pool.ended) await pool.end();
    },
  });
}
