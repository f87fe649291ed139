/**
 * The bulk-load side of a store backend, used only by `import`: rows go into
 * staging tables named `<table>__stage_<token>`, and {@link StoreLoader.commit}
 * swaps every staging table in at once (SQLite: one transaction of
 * `ALTER TABLE … RENAME`; MySQL: one `RENAME TABLE` statement). Until then
 * the served tables are untouched, so a failure at any point (or a killed
 * process, whose leftovers the next import drops) leaves the previous data
 * serving. `movies_tmdb` is never staged, so the TMDB cache survives imports.
 *
 * One import at a time per store: {@link StoreLoader.begin} takes a lock
 * that the operating system or the server releases when its holder dies
 * (SQLite: an exclusive `flock` on `<path>.import-lock`; MySQL: `GET_LOCK`),
 * so a killed import's lock is taken over by the next one without a manual
 * step, and a live one's makes a second import fail with
 * {@link ImportLockedError}, saying who holds it and since when. Leftover
 * staging tables are dropped only under that lock.
 *
 * Rows arrive column-wise, in the table's column order (lib/store/schema.ts):
 * typed arrays for numbers, plain arrays where a column holds text or nulls.
 */
import process from "node:process";
import type { ImportedTable } from "./schema.ts";

export type ColumnData =
  | Int32Array
  | Int16Array
  | Uint8Array
  | Uint32Array
  | Float64Array
  | readonly (string | number | null)[]
  | readonly Uint8Array[];

/** Rows for one table: `columns[c][i]` is column `c` of row `i`. */
export interface TableData {
  table: ImportedTable;
  length: number;
  columns: readonly ColumnData[];
}

export interface StoreLoader {
  /**
   * Takes the import lock (or throws {@link ImportLockedError}), drops
   * leftovers of a crashed import and creates empty staging tables.
   */
  begin(): Promise<void>;
  /** Users of the import being served (0 when the store holds none yet); after {@link begin}. */
  servedUsers(): Promise<number>;
  /** The served import's schema version (`import_meta.schema_version`; 0 when none is recorded). */
  servedSchema(): Promise<number>;
  /** Appends rows to the staging copy; `onRows(done)` reports progress. */
  load(data: TableData, onRows?: (done: number) => void): Promise<void>;
  /** Builds secondary indexes, then swaps all staging tables in atomically. */
  commit(): Promise<void>;
  /**
   * Drops the staging tables; the served tables are untouched. A SQLite file
   * this import created is removed.
   */
  abort(): Promise<void>;
  close(): Promise<void>;
}

/** A random suffix for this import's staging tables. */
export function stagingToken(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 10);
}

/** Matches staging and retired tables of any import (for leftover clean-up), `!` escapes. */
export const LEFTOVER_LIKE = "%!_!_stage!_%";
export const RETIRED_LIKE = "%!_!_old!_%";

/** Who holds a store's import lock, as its holder recorded it. */
export interface ImportLockHolder {
  pid: number;
  host: string;
  /** Unix milliseconds when that import took the lock. */
  startedAt: number;
}

/** This process as an import lock holder. */
export function thisHolder(): ImportLockHolder {
  return { pid: Deno.pid, host: Deno.hostname(), startedAt: Date.now() };
}

/**
 * Whether `holder` is a process of this host that no longer runs (signal 0:
 * `ESRCH`); false when it runs or cannot be told (another host, no
 * permission). `/proc` would tell threads from processes, but Deno lets only
 * `--allow-all` read it.
 */
export function holderIsDead(holder: ImportLockHolder): boolean {
  if (holder.host !== Deno.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === "ESRCH";
  }
}

/** Another import holds the store's lock. */
export class ImportLockedError extends Error {
  /** The store (URL with the password masked, or SQLite path). */
  readonly store: string;
  /** The holder as it recorded itself; null when it had not written that yet. */
  readonly holder: ImportLockHolder | null;
  constructor(store: string, holder: ImportLockHolder | null) {
    const who = holder
      ? `import pid ${holder.pid} on ${holder.host}, running since ` +
        `${new Date(holder.startedAt).toISOString()}`
      : "an import that has just started";
    super(`${store} is being imported by another ${who}; try again when it has finished`);
    this.name = "ImportLockedError";
    this.store = store;
    this.holder = holder;
  }
}
