/**
 * The MySQL/MariaDB backend on `mysql2/promise`.
 *
 * {@link MysqlRunner} queries through a pool (`?` placeholders, values
 * escaped by the driver; nothing spliced). The pool opens connections on
 * demand and drops broken ones, so a server that was down serves again
 * without a restart: a call that fails to connect is a
 * StoreUnavailableError, and a call that hits a connection the server closed
 * meanwhile is retried once on a fresh one.
 *
 * {@link MysqlLoader} uses one dedicated connection holding a named lock
 * (`GET_LOCK`: one import per database at a time; its holder writes pid,
 * host and start time into the small table `import_lock`, which a refused
 * import quotes; a holder that was killed on this host is waited for while
 * the server rolls its session back, up to {@link DEAD_HOLDER_WAIT_S}) and loads staging tables with
 * `LOAD DATA LOCAL INFILE` fed by a stream generated from the columns (no
 * temporary file); a server with `local_infile` off gets multi-row INSERTs
 * instead. The swap is one `RENAME TABLE` statement, atomic for readers.
 */
import { Readable } from "node:stream";
import mysql from "mysql2/promise";
import { StoreUnavailableError } from "./store.ts";
import type { Row, SqlParam, SqlRunner } from "./sql_store.ts";
import {
  createIndexSql,
  createTableSql,
  hasBlobColumn,
  IMPORTED_TABLES,
  type ImportedTable,
  TABLES,
} from "./schema.ts";
import {
  type ColumnData,
  holderIsDead,
  ImportLockedError,
  type ImportLockHolder,
  LEFTOVER_LIKE,
  RETIRED_LIKE,
  stagingToken,
  type StoreLoader,
  type TableData,
  thisHolder,
} from "./loader.ts";

/** Where to connect; the password never appears in messages (see `maskedUrl`). */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The URL with the password replaced by `***`, for messages. */
  maskedUrl: string;
}

/** Driver error codes meaning the server cannot be reached or the schema is not there. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_ACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_NO_SUCH_TABLE",
]);

/** Errors worth one retry on a fresh connection (the pool had a dead one). */
const STALE = new Set(["PROTOCOL_CONNECTION_LOST", "ECONNRESET", "EPIPE"]);

function codeOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code) return e.code;
  // mysql2 reports a write on a closed socket without a code.
  return /closed state/.test(e?.message ?? "") ? "PROTOCOL_CONNECTION_LOST" : "";
}

function unavailable(target: MysqlTarget, err: unknown): StoreUnavailableError {
  const code = codeOf(err);
  const msg = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(
    `MySQL store ${target.maskedUrl}: ${code ? code + ": " : ""}${msg}`,
    { cause: err },
  );
}

function connectionOptions(t: MysqlTarget) {
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    charset: "utf8mb4_unicode_ci",
    connectTimeout: 3000,
  };
}

export class MysqlRunner implements SqlRunner {
  readonly kind = "mysql";
  #target: MysqlTarget;
  #pool: mysql.Pool;

  constructor(target: MysqlTarget) {
    this.#target = target;
    this.#pool = mysql.createPool({
      ...connectionOptions(target),
      connectionLimit: 16,
      waitForConnections: true,
      enableKeepAlive: true,
      maxIdle: 4,
      idleTimeout: 60_000,
    });
  }

  async all(sql: string, params: readonly SqlParam[]): Promise<Row[]> {
    for (let attempt = 0;; attempt++) {
      try {
        const [rows] = await this.#pool.query(sql, params as SqlParam[]);
        return rows as Row[];
      } catch (err) {
        const code = codeOf(err);
        if (STALE.has(code) && attempt === 0) continue;
        if (UNREACHABLE.has(code)) throw unavailable(this.#target, err);
        throw err;
      }
    }
  }

  async run(sql: string, params: readonly SqlParam[]): Promise<void> {
    await this.all(sql, params);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * Seconds to wait for the lock of an import that was killed on this host: the server
 * releases it once it has noticed the closed connection and rolled its session back
 * (measured ~14 s after a kill during a scale-1 LOAD DATA).
 */
export const DEAD_HOLDER_WAIT_S = 120;

/** Who holds the import lock: one row, written by the holder after GET_LOCK. */
const LOCK_TABLE = "CREATE TABLE IF NOT EXISTS import_lock (id TINYINT NOT NULL PRIMARY KEY, " +
  "connection_id BIGINT NOT NULL, pid INT NOT NULL, host VARCHAR(255) NOT NULL, " +
  "started_at BIGINT NOT NULL) ENGINE=InnoDB";

/** Rows per INSERT when LOAD DATA LOCAL is refused. */
const INSERT_BATCH = 5000;
/** Bytes of TSV per stream chunk. */
const CHUNK = 1 << 20;

/** Server refused LOAD DATA LOCAL (local_infile off). */
const NO_LOCAL_INFILE = new Set([
  "ER_NOT_ALLOWED_COMMAND",
  "ER_LOAD_INFILE_CAPABILITY_DISABLED",
  "ER_CLIENT_LOCAL_FILES_DISABLED",
]);

/** One TSV field in LOAD DATA's default escaping (`\N` is NULL). */
function tsvField(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "number") return String(v);
  return String(v).replace(
    /[\\\t\n\r]/g,
    (c) => c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

/** The rows as TSV text chunks, ~1 MiB each. */
function* tsvChunks(columns: readonly ColumnData[], n: number, onRows: (done: number) => void) {
  const encoder = new TextEncoder();
  const width = columns.length;
  let text = "";
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < width; c++) {
      if (c > 0) text += "\t";
      text += tsvField(columns[c][i]);
    }
    text += "\n";
    if (text.length >= CHUNK) {
      yield encoder.encode(text);
      text = "";
      onRows(i + 1);
    }
  }
  if (text.length > 0) yield encoder.encode(text);
}

export class MysqlLoader implements StoreLoader {
  #target: MysqlTarget;
  #conn: mysql.Connection | null = null;
  #token = stagingToken();
  #useInsert = false;
  #lock: string;

  constructor(target: MysqlTarget) {
    this.#target = target;
    this.#lock = `recsys_import_${target.database}`;
  }

  async #c(): Promise<mysql.Connection> {
    if (!this.#conn) {
      try {
        this.#conn = await mysql.createConnection(connectionOptions(this.#target));
      } catch (err) {
        throw unavailable(this.#target, err);
      }
    }
    return this.#conn;
  }

  #staging(table: ImportedTable): string {
    return `${table}__stage_${this.#token}`;
  }

  async #tablesLike(pattern: string): Promise<string[]> {
    const [rows] = await (await this.#c()).query(
      "SELECT table_name AS name FROM information_schema.tables " +
        "WHERE table_schema = DATABASE() AND table_name LIKE ? ESCAPE '!'",
      [pattern],
    );
    return (rows as { name: string }[]).map((r) => r.name);
  }

  /** `GET_LOCK`, waiting up to `seconds`; true when this connection holds the lock. */
  async #tryLock(c: mysql.Connection, seconds: number): Promise<boolean> {
    const [rows] = await c.query("SELECT GET_LOCK(?, ?) AS ok", [this.#lock, seconds]);
    return (rows as { ok: number | null }[])[0].ok === 1;
  }

  /** The holder recorded in `import_lock`, if that row belongs to the lock's current session. */
  async #holder(c: mysql.Connection): Promise<ImportLockHolder | null> {
    const [owner] = await c.query("SELECT IS_USED_LOCK(?) AS id", [this.#lock]);
    const id = (owner as { id: number | null }[])[0].id;
    if (id === null) return null;
    await c.query(LOCK_TABLE);
    const [rows] = await c.query(
      "SELECT pid, host, started_at FROM import_lock WHERE id = 1 AND connection_id = ?",
      [id],
    );
    const r = (rows as { pid: number; host: string; started_at: number | string }[])[0];
    return r ? { pid: r.pid, host: r.host, startedAt: Number(r.started_at) } : null;
  }

  async begin(): Promise<void> {
    const c = await this.#c();
    if (!(await this.#tryLock(c, 0))) {
      const holder = await this.#holder(c);
      if (!holder || !holderIsDead(holder)) {
        throw new ImportLockedError(this.#target.maskedUrl, holder);
      }
      console.error(
        `import: the import holding ${this.#target.maskedUrl} (pid ${holder.pid}) has died; ` +
          `waiting up to ${DEAD_HOLDER_WAIT_S} s for the server to release its lock`,
      );
      if (!(await this.#tryLock(c, DEAD_HOLDER_WAIT_S))) {
        throw new ImportLockedError(this.#target.maskedUrl, await this.#holder(c));
      }
    }
    await c.query(LOCK_TABLE);
    const me = thisHolder();
    await c.query(
      "REPLACE INTO import_lock (id, connection_id, pid, host, started_at) " +
        "VALUES (1, CONNECTION_ID(), ?, ?, ?)",
      [me.pid, me.host, me.startedAt],
    );
    for (const def of Object.values(TABLES)) await c.query(createTableSql("mysql", def));
    const leftovers = [
      ...(await this.#tablesLike(LEFTOVER_LIKE)),
      ...(await this.#tablesLike(RETIRED_LIKE)),
    ];
    for (const name of leftovers) await c.query(`DROP TABLE IF EXISTS \`${name}\``);
    for (const t of IMPORTED_TABLES) {
      await c.query(createTableSql("mysql", TABLES[t], this.#staging(t)));
    }
  }

  async servedSchema(): Promise<number> {
    const [rows] = await (await this.#c()).query(
      "SELECT value FROM import_meta WHERE name = 'schema_version'",
    );
    const r = (rows as { value: number | string }[])[0];
    return r ? Number(r.value) : 0;
  }

  async servedUsers(): Promise<number> {
    const [rows] = await (await this.#c()).query(
      "SELECT value FROM import_meta WHERE name = 'users'",
    );
    const r = (rows as { value: number | string }[])[0];
    return r ? Number(r.value) : 0;
  }

  async load(data: TableData, onRows?: (done: number) => void): Promise<void> {
    const c = await this.#c();
    const def = TABLES[data.table];
    if (data.columns.length !== def.columns.length) {
      throw new Error(
        `${data.table}: ${data.columns.length} columns, ${def.columns.length} expected`,
      );
    }
    const cols = def.columns.map((col) => col.name).join(", ");
    const staging = this.#staging(data.table);
    const report = onRows ?? (() => {});
    // Blob chunks are not TSV: plain INSERTs, one ~1 MiB row per packet.
    if (!this.#useInsert && !hasBlobColumn(def)) {
      try {
        const [result] = await c.query({
          sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${staging} ` +
            "CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' " +
            `LINES TERMINATED BY '\\n' (${cols})`,
          infileStreamFactory: () =>
            Readable.from(tsvChunks(data.columns, data.length, report), { objectMode: false }),
        });
        const r = result as { affectedRows: number; warningStatus: number };
        if (r.affectedRows !== data.length || r.warningStatus > 0) {
          const [w] = await c.query("SHOW WARNINGS LIMIT 3");
          throw new Error(
            `${data.table}: LOAD DATA stored ${r.affectedRows} of ${data.length} rows ` +
              `(${r.warningStatus} warnings: ${JSON.stringify(w)})`,
          );
        }
        report(data.length);
        return;
      } catch (err) {
        if (!NO_LOCAL_INFILE.has(codeOf(err))) throw err;
        console.error("import: server refused LOAD DATA LOCAL INFILE; using multi-row INSERTs");
        this.#useInsert = true;
        await c.query(`TRUNCATE TABLE ${staging}`);
      }
    }
    const width = def.columns.length;
    const batch = hasBlobColumn(def) ? 1 : INSERT_BATCH;
    for (let start = 0; start < data.length; start += batch) {
      const end = Math.min(data.length, start + batch);
      const rows: unknown[][] = [];
      for (let i = start; i < end; i++) {
        const row = new Array(width);
        for (let k = 0; k < width; k++) row[k] = data.columns[k][i];
        rows.push(row);
      }
      await c.query(`INSERT INTO ${staging} (${cols}) VALUES ?`, [rows]);
      report(end);
    }
  }

  async commit(): Promise<void> {
    const c = await this.#c();
    for (const t of IMPORTED_TABLES) {
      for (const sql of createIndexSql(TABLES[t], this.#staging(t))) await c.query(sql);
    }
    const renames = IMPORTED_TABLES.flatMap((t) => [
      `${t} TO ${t}__old_${this.#token}`,
      `${this.#staging(t)} TO ${t}`,
    ]);
    // One statement: other sessions see all old tables or all new ones.
    await c.query(`RENAME TABLE ${renames.join(", ")}`);
    await c.query(
      `DROP TABLE ${IMPORTED_TABLES.map((t) => `${t}__old_${this.#token}`).join(", ")}`,
    );
  }

  async abort(): Promise<void> {
    if (!this.#conn) return;
    await this.#conn.query(
      `DROP TABLE IF EXISTS ${IMPORTED_TABLES.map((t) => this.#staging(t)).join(", ")}`,
    );
  }

  async close(): Promise<void> {
    if (!this.#conn) return;
    try {
      await this.#conn.query("DO RELEASE_LOCK(?)", [this.#lock]);
    } finally {
      await this.#conn.end();
      this.#conn = null;
    }
  }
}
