import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** The one SQL surface the repositories use; PostgreSQL and PGlite both speak it. */
export interface Sql {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
  /** Runs `work` in one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: "postgres" | "pglite";
}

export interface DatabaseOptions {
  /** A `postgres://` URL; unset means the embedded PGlite under `dataDir`. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** PostgreSQL cancels a statement of this pool running longer than this (ms); none when unset. */
  statementTimeoutMs?: number | undefined;
  /** Names the pool's sessions in pg_stat_activity. */
  applicationName?: string | undefined;
}

/**
 * Opens PostgreSQL or PGlite. TLS to PostgreSQL is set in the URL as node-postgres reads it:
 * `sslmode=require` (also `prefer`, `verify-ca`, `verify-full`) means TLS with the server's
 * certificate and host name verified, against the system's CAs or `sslrootcert=<file>`;
 * `sslcert`/`sslkey` name a client certificate; `uselibpqcompat=true` gives the modes libpq's meaning.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Sql> {
  if (options.url) return openPostgres(options);
  return openPglite(options.dataDir ?? "./.vigil");
}

function openPostgres(options: DatabaseOptions): Sql {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 8,
    ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const over = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): Sql => ({
    kind: "postgres",
    async query<Row>(text: string, params?: unknown[]) {
      const result = await client.query(text, params);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTransaction) return work(over(client, true));
      const connection = await pool.connect();
      // A checked-out client has no pool listener: if the server goes away between two of the
      // transaction's queries, its 'error' event would be unhandled and end the process. Catch it
      // here; the next query fails, the transaction is abandoned and the client is discarded.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      connection.on("error", onError);
      try {
        await connection.query("begin");
        const result = await work(over(connection, true));
        await connection.query("commit");
        return result;
      } catch (error) {
        await connection.query("rollback").catch((rollbackError: Error) => {
          broken ??= rollbackError;
        });
        throw error;
      } finally {
        connection.off("error", onError);
        // Released with an error, the pool destroys the client instead of reusing it.
        connection.release(broken);
      }
    },
    close: () => pool.end(),
  });
  return over(pool, false);
}

async function openPglite(dataDir: string): Promise<Sql> {
  const db = await PGlite.create(dataDir === "memory://" ? undefined : dataDir);
  type Queryable = Pick<PGlite, "query">;
  const over = (client: Queryable, inTransaction: boolean): Sql => ({
    kind: "pglite",
    async query<Row>(text: string, params?: unknown[]) {
      const result = await client.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTransaction) return work(over(client, true));
      return db.transaction((tx) => work(over(tx, true)));
    },
    close: () => db.close(),
  });
  return over(db, false);
}
