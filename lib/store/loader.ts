/**
 * The bulk-load side of a store backend, used only by `import`: rows go into
 * staging tables named `<table>__stage_<token>`, and {@link StoreLoader.commit}
 * swaps every staging table in at once (SQLite: one transaction of
 * `ALTER TABLE … RENAME`; MySQL: one `RENAME TABLE` statement). Until then
 * the served tables are untouched, so a failure at any point (or a killed
 * process, whose leftovers the next import drops) leaves the previous data
 * serving. `movies_tmdb` is never staged, so the TMDB cache survives imports.
 *
 * Rows arrive column-wise, in the table's column order (lib/store/schema.ts):
 * typed arrays for numbers, plain arrays where a column holds text or nulls.
 */
import type { ImportedTable } from "./schema.ts";

export type ColumnData =
  | Int32Array
  | Int16Array
  | Uint8Array
  | Uint32Array
  | Float64Array
  | readonly (string | number | null)[];

/** Rows for one table: `columns[c][i]` is column `c` of row `i`. */
export interface TableData {
  table: ImportedTable;
  length: number;
  columns: readonly ColumnData[];
}

export interface StoreLoader {
  /** Drops leftovers of a crashed import and creates empty staging tables. */
  begin(): Promise<void>;
  /** Appends rows to the staging copy; `onRows(done)` reports progress. */
  load(data: TableData, onRows?: (done: number) => void): Promise<void>;
  /** Builds secondary indexes, then swaps all staging tables in atomically. */
  commit(): Promise<void>;
  /** Drops the staging tables; the served tables are untouched. */
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
