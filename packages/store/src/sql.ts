import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** The one SQL surface the repositories use; PostgreSQL and PGlite both speak it. */
export interface Sql {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
  /**
   * Runs `work` in one transaction; rolls back if it throws. `unbounded`: maintenance that may run
   * longer than the pool's statement timeout (migrations, retention); neither the server's timeout
   * nor the client's read timeout applies to its statements.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
  readonly kind: "postgres" | "pglite";
}

export interface TransactionOptions {
  unbounded?: boolean;
}

/**
 * How long a statement may go unanswered beyond the server's own timeout before the client gives the
 * connection up: a server behind a network that drops packets never answers, and the statement
 * timeout, which the server enforces, cannot fire for it.
 */
const READ_TIMEOUT_GRACE_MS = 5_000;
/** Connecting (TCP and the start-up exchange) gives up after this; the caller's retry connects anew. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Idle connections probed by TCP keep-alive after this, so a dead peer is noticed between statements too. */
const KEEP_ALIVE_DELAY_MS = 10_000;
/** "No timeout" for node-postgres, whose per-query timeout of 0 means "the client's". */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

export interface DatabaseOptions {
  /** A `postgres://` URL; unset means the embedded PGlite under `dataDir`. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /**
   * PostgreSQL cancels a statement of this pool running longer than this (ms), and the client gives
   * a connection up when a statement is unanswered a few seconds longer; none when unset.
   */
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
  const timeout = options.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 8,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
    ...(timeout === undefined
      ? {}
      : { statement_timeout: timeout, query_timeout: timeout + READ_TIMEOUT_GRACE_MS }),
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const over = (client: pg.Pool | pg.PoolClient, inTransaction: boolean, unbounded = false): Sql => ({
    kind: "postgres",
    async query<Row>(text: string, params?: unknown[]) {
      // node-postgres reads a per-statement `query_timeout` that its types do not declare.
      const result = unbounded
        ? await client.query({ text, values: params ?? [], query_timeout: NO_TIMEOUT_MS } as pg.QueryConfig)
        : await client.query(text, params);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async transaction<T>(work: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      if (inTransaction) return work(over(client, true, unbounded));
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
        const tx = over(connection, true, options.unbounded === true);
        if (options.unbounded === true) await tx.query("set local statement_timeout = 0");
        const result = await work(tx);
        await connection.query("commit");
        return result;
      } catch (error) {
        // A statement the server never answered leaves the connection waiting for that answer: a
        // rollback would wait behind it. Discarding the connection ends the transaction.
        if (unanswered(error)) broken ??= error as Error;
        else
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

/** node-postgres' error for a statement unanswered within `query_timeout`. */
const unanswered = (error: unknown): boolean =>
  error instanceof Error && error.message === "Query read timeout";

async function openPglite(dataDir: string): Promise<Sql> {
  const db = await PGlite.create(dataDir === "memory://" ? undefined : dataDir);
  type Queryable = Pick<PGlite, "query">;
  const over = (client: Queryable, inTransaction: boolean): Sql => ({
    kind: "pglite",
    async query<Row>(text: string, params?: unknown[]) {
      const result = await client.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
    transaction<T>(work: (tx: Sql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      if (inTransaction) return work(over(client, true));
      return db.transaction(async (tx) => {
        if (options.unbounded === true) await tx.query("set local statement_timeout = 0");
        return work(over(tx, true));
      });
    },
    close: () => db.close(),
  });
  return over(db, false);
}
