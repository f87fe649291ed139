/**
 * The SQLite backend on `node:sqlite` (built in): one database file in WAL
 * mode, so the web app keeps reading while `import` writes staging tables
 * and swaps them in with one short transaction.
 *
 * {@link SqliteRunner} opens the file lazily on each call when it is not open
 * yet or was replaced (inode changed; checked at most every 500 ms while
 * open), so a missing file is a StoreUnavailableError that heals once the
 * file appears, without a restart.
 * Prepared statements are cached per connection.
 *
 * {@link SqliteLoader} inserts with multi-row prepared INSERTs (256 rows per
 * statement: measured 2.5M rows/s vs 0.7M/s for one row per call, the
 * JS↔SQLite call being the cost) in transactions of ~1M rows, with
 * `synchronous=OFF` on its own connection (a crash mid-import loses only
 * staging tables, which the next import drops). It holds the import lock
 * `<path>.import-lock` (lib/store/loader.ts) from `begin` to `close`, removes
 * a file it created when the import fails, and after each swap gives the
 * old tables' pages back to the file system (files it creates have
 * `auto_vacuum = INCREMENTAL`; an older file cannot be converted without a
 * `VACUUM`, which Deno only allows under `--allow-all`, so it keeps its free
 * pages for the next import to reuse, and the import says so).
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { StorePermissionError, StoreUnavailableError } from "./store.ts";
import type { Row, SqlParam, SqlRunner } from "./sql_store.ts";
import {
  createIndexSql,
  createTableSql,
  hasBlobColumn,
  IMPORTED_TABLES,
  type ImportedTable,
  type TableDef,
  TABLES,
} from "./schema.ts";
import type { ImportLockHolder, StoreLoader, TableData } from "./loader.ts";
import {
  ImportLockedError,
  LEFTOVER_LIKE,
  RETIRED_LIKE,
  stagingToken,
  thisHolder,
} from "./loader.ts";

/** SQLite errors that mean "no usable store here yet", not a bug in a query. */
const UNAVAILABLE = /no such table|database is locked|unable to open|not a database|disk I\/O/i;

function unavailable(path: string, err: unknown): StoreUnavailableError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(`SQLite store ${path}: ${msg}`, { cause: err });
}

/** How long an open connection is trusted before the file's inode is checked again. */
const RECHECK_MS = 500;

/**
 * Throws {@link StorePermissionError} unless this process may read and write
 * the SQLite file at `path` (and its `-wal`/`-shm` companions): Deno's
 * permissions, then the file system's when the file exists. A missing file
 * is fine (an import may create it later).
 */
export function checkSqliteAccess(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    for (const name of ["read", "write"] as const) {
      if (Deno.permissions.querySync({ name, path: file }).state !== "granted") {
        throw new StorePermissionError(file, name, "deno");
      }
    }
  }
  try {
    Deno.openSync(path, { read: true, write: true }).close();
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new StorePermissionError(path, "write", "os");
    }
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

export class SqliteRunner implements SqlRunner {
  readonly kind = "sqlite";
  readonly path: string;
  #db: DatabaseSync | null = null;
  #ino: number | null = null;
  /** `performance.now()` of the last inode check of an open file. */
  #checkedAt = 0;
  #stmts = new Map<string, StatementSync>();

  constructor(path: string) {
    this.path = path;
  }

  #open(): DatabaseSync {
    // An open file is re-checked at most every RECHECK_MS: a stat per query was ~3% of a
    // dashboard request (4 queries). A replaced or deleted file is noticed within that time.
    const now = performance.now();
    if (this.#db && now - this.#checkedAt < RECHECK_MS) return this.#db;
    this.#checkedAt = now;
    let ino: number | null;
    try {
      ino = Deno.statSync(this.path).ino;
    } catch (err) {
      this.#drop();
      throw new StoreUnavailableError(
        `SQLite store ${this.path} not found (run 'import' first)`,
        { cause: err },
      );
    }
    if (this.#db && ino === this.#ino) return this.#db;
    this.#drop();
    try {
      const db = new DatabaseSync(this.path);
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("PRAGMA journal_mode = WAL");
      this.#db = db;
      this.#ino = ino;
      return db;
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable) {
        throw new StorePermissionError(
          this.path,
          /write/.test(err.message) ? "write" : "read",
          "deno",
        );
      }
      throw unavailable(this.path, err);
    }
  }

  #drop(): void {
    this.#stmts.clear();
    if (this.#db) {
      try {
        this.#db.close();
      } catch { /* already closed */ }
    }
    this.#db = null;
    this.#ino = null;
  }

  #statement(sql: string): StatementSync {
    const db = this.#open();
    let st = this.#stmts.get(sql);
    if (!st) {
      st = db.prepare(sql);
      this.#stmts.set(sql, st);
    }
    return st;
  }

  #guard<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof StoreUnavailableError || err instanceof StorePermissionError) throw err;
      if (err instanceof Error && UNAVAILABLE.test(err.message)) throw unavailable(this.path, err);
      throw err;
    }
  }

  all(sql: string, params: readonly SqlParam[]): Promise<Row[]> {
    return Promise.resolve(
      this.#guard(() => this.#statement(sql).all(...params) as Row[]),
    );
  }

  run(sql: string, params: readonly SqlParam[]): Promise<void> {
    this.#guard(() => this.#statement(sql).run(...params));
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#drop();
    return Promise.resolve();
  }
}

/** Rows per multi-row INSERT statement. */
const ROWS_PER_INSERT = 256;
/** Rows per transaction. */
const TXN_ROWS = 1 << 20;

/** Creates every table that does not exist yet (first import, or a fresh file). */
function ensureSchema(db: DatabaseSync): void {
  for (const def of Object.values(TABLES)) db.exec(createTableSql("sqlite", def));
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Names of tables matching a LIKE pattern (`!` escapes). */
function tablesLike(db: DatabaseSync, pattern: string): string[] {
  const rows = db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '!'",
  ).all(pattern) as { name: string }[];
  return rows.map((r) => r.name);
}

/** Parses a lock file's content; null when empty or not ours. */
function parseHolder(text: string): ImportLockHolder | null {
  try {
    const h = JSON.parse(text);
    return typeof h?.pid === "number" && typeof h?.host === "string" &&
        typeof h?.startedAt === "number"
      ? { pid: h.pid, host: h.host, startedAt: h.startedAt }
      : null;
  } catch {
    return null;
  }
}

/**
 * Takes the exclusive `flock` of `lockPath` without waiting, and writes this
 * process into it. The kernel drops the lock when its process dies, so a
 * killed import's lock is free at once. The file is removed on release; a
 * lock taken on a file that was removed meanwhile (its inode no longer at
 * the path) is retried on the new file.
 */
function takeLock(lockPath: string, store: string): Deno.FsFile {
  for (;;) {
    const file = Deno.openSync(lockPath, { read: true, write: true, create: true });
    if (!file.tryLockSync(true)) {
      let holder: ImportLockHolder | null = null;
      try {
        holder = parseHolder(Deno.readTextFileSync(lockPath));
      } finally {
        file.close();
      }
      throw new ImportLockedError(store, holder);
    }
    let same = false;
    try {
      same = Deno.statSync(lockPath).ino === file.statSync().ino;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (same) {
      file.truncateSync(0);
      file.writeSync(new TextEncoder().encode(JSON.stringify(thisHolder())));
      return file;
    }
    file.close();
  }
}

export class SqliteLoader implements StoreLoader {
  readonly path: string;
  #db: DatabaseSync | null = null;
  #lock: Deno.FsFile | null = null;
  /** The database file did not exist when this import took the lock. */
  #created = false;
  #token = stagingToken();

  constructor(path: string) {
    this.path = path;
  }

  get #conn(): DatabaseSync {
    if (!this.#db) throw new Error("SqliteLoader: begin() first");
    return this.#db;
  }

  #staging(table: ImportedTable): string {
    return `${table}__stage_${this.#token}`;
  }

  begin(): Promise<void> {
    const path = this.path;
    const slash = path.lastIndexOf("/");
    if (slash > 0) Deno.mkdirSync(path.slice(0, slash), { recursive: true });
    this.#lock = takeLock(`${path}.import-lock`, `sqlite:${path}`);
    this.#created = !existsSync(path);
    const db = new DatabaseSync(path);
    this.#db = db;
    db.exec("PRAGMA busy_timeout = 30000");
    // Takes effect on a new file only (before its first table); see commit().
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = OFF");
    db.exec("PRAGMA cache_size = -262144");
    db.exec("PRAGMA temp_store = MEMORY");
    ensureSchema(db);
    // Safe under the lock: no other import is running, so these are a dead one's.
    for (const name of [...tablesLike(db, LEFTOVER_LIKE), ...tablesLike(db, RETIRED_LIKE)]) {
      db.exec(`DROP TABLE IF EXISTS ${name}`);
    }
    for (const t of IMPORTED_TABLES) {
      db.exec(createTableSql("sqlite", TABLES[t], this.#staging(t)));
    }
    return Promise.resolve();
  }

  servedSchema(): Promise<number> {
    const row = this.#conn.prepare(
      "SELECT value FROM import_meta WHERE name = 'schema_version'",
    ).get() as { value: number | bigint } | undefined;
    return Promise.resolve(row ? Number(row.value) : 0);
  }

  servedUsers(): Promise<number> {
    const row = this.#conn.prepare("SELECT value FROM import_meta WHERE name = 'users'").get() as
      | { value: number | bigint }
      | undefined;
    return Promise.resolve(row ? Number(row.value) : 0);
  }

  load(data: TableData, onRows?: (done: number) => void): Promise<void> {
    const def: TableDef = TABLES[data.table];
    const width = def.columns.length;
    if (data.columns.length !== width) {
      throw new Error(`${data.table}: ${data.columns.length} columns given, ${width} expected`);
    }
    const cols = def.columns.map((c) => c.name).join(", ");
    const tuple = "(" + new Array(width).fill("?").join(",") + ")";
    const sql = (rows: number) =>
      `INSERT INTO ${this.#staging(data.table)} (${cols}) VALUES ` +
      new Array(rows).fill(tuple).join(",");
    // A blob row is up to 1 MiB: one per statement, not 256 MiB bound at once.
    const BATCH = hasBlobColumn(def) ? 1 : ROWS_PER_INSERT;
    const full = this.#conn.prepare(sql(BATCH));
    const args: SqlParam[] = new Array(BATCH * width);
    const columns = data.columns;
    const n = data.length;
    let inTxn = false;
    try {
      for (let start = 0; start < n; start += BATCH) {
        if (start % TXN_ROWS === 0) {
          if (inTxn) {
            this.#conn.exec("COMMIT");
            onRows?.(start);
          }
          this.#conn.exec("BEGIN");
          inTxn = true;
        }
        const rows = Math.min(BATCH, n - start);
        let k = 0;
        for (let i = start; i < start + rows; i++) {
          for (let c = 0; c < width; c++) args[k++] = columns[c][i] as SqlParam;
        }
        if (rows === BATCH) full.run(...args);
        else this.#conn.prepare(sql(rows)).run(...args.slice(0, k));
      }
      if (inTxn) this.#conn.exec("COMMIT");
    } catch (err) {
      if (inTxn) this.#conn.exec("ROLLBACK");
      throw err;
    }
    onRows?.(n);
    return Promise.resolve();
  }

  commit(): Promise<void> {
    for (const t of IMPORTED_TABLES) {
      for (const sql of createIndexSql(TABLES[t], this.#staging(t))) this.#conn.exec(sql);
    }
    // One short transaction: readers see either all old or all new tables.
    this.#conn.exec("BEGIN IMMEDIATE");
    try {
      for (const t of IMPORTED_TABLES) {
        this.#conn.exec(`ALTER TABLE ${t} RENAME TO ${t}__old_${this.#token}`);
        this.#conn.exec(`ALTER TABLE ${this.#staging(t)} RENAME TO ${t}`);
      }
      this.#conn.exec("COMMIT");
    } catch (err) {
      this.#conn.exec("ROLLBACK");
      throw err;
    }
    // Freeing the old pages takes a while on big tables; readers already see the new ones.
    const db = this.#conn;
    for (const t of IMPORTED_TABLES) db.exec(`DROP TABLE ${t}__old_${this.#token}`);
    // Give the old tables' pages back to the file system: without this the file keeps them
    // as free pages (measured: 30 MB of data in a 315 MB file after repeated imports).
    const pragma = (name: string) =>
      Number((db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[name]);
    if (pragma("auto_vacuum") === 2) {
      // incremental_vacuum frees one page per step: all() runs it to the end, exec() would
      // stop after the first.
      db.prepare("PRAGMA incremental_vacuum").all();
    } else {
      // Only VACUUM could convert the file, and Deno disables the ATTACH it needs unless run
      // with --allow-all. Its free pages are reused by the next import.
      const mb = pragma("freelist_count") * pragma("page_size") / 2 ** 20;
      console.error(
        `import: ${this.path} was created without auto-vacuum: its ${mb.toFixed(0)} MB of ` +
          "free pages are reused by the next import but not given back; import into a new " +
          "file once to get one that shrinks after every import",
      );
    }
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return Promise.resolve();
  }

  abort(): Promise<void> {
    if (!this.#db) return Promise.resolve();
    if (this.#created) {
      // Nothing was ever served from this file: leave no empty store behind.
      this.#db.close();
      this.#db = null;
      for (const suffix of ["", "-wal", "-shm", "-journal"]) {
        try {
          Deno.removeSync(this.path + suffix);
        } catch (err) {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
      return Promise.resolve();
    }
    for (const t of IMPORTED_TABLES) this.#db.exec(`DROP TABLE IF EXISTS ${this.#staging(t)}`);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#db?.close();
    this.#db = null;
    if (this.#lock) {
      // Removed while still held, so a waiting import cannot lock the old file (takeLock).
      Deno.removeSync(`${this.path}.import-lock`);
      this.#lock.close();
      this.#lock = null;
    }
    return Promise.resolve();
  }
}
