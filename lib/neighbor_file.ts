/**
 * The neighbor file format (`user_topk_neighbors.txt`, `item_topk_neighbors.txt`):
 * one line per id, `id<TAB>nid:sim,nid:sim,...`, sims with 6 decimals,
 * entries sorted by sim descending then nid ascending, lines sorted by id
 * ascending. An id with no neighbor has no line.
 *
 * Similarities are ranked and printed through one integer key,
 * `simKey(sim) = round(sim · 10^6)`: top-K selection, the order of entries
 * and the printed text all use it, so a file is sorted exactly as it reads
 * (two sims that print alike are a tie, broken by the smaller nid), and both
 * engines produce identical bytes. {@link formatNeighborLine} is the single
 * place a line is printed. {@link parseNeighborFile} reads a file into
 * CSR arrays in one byte-level pass (a user file on ML-32M holds ~10M entries).
 */
import { parseDecimalBytes, parseIdBytes } from "./decimal_bytes.ts";

/** The ranking and printing key of a similarity: `round(sim · 10^6)`, an integer. */
export function simKey(sim: number): number {
  return Math.round(sim * 1e6);
}

/** Prints a sim key with 6 decimals (`-1234` → `-0.001234`), by integer arithmetic. */
export function formatSimKey(key: number): string {
  const neg = key < 0;
  const abs = neg ? -key : key;
  const whole = Math.floor(abs / 1e6);
  const frac = String(abs - whole * 1e6).padStart(6, "0");
  return (neg ? "-" : "") + whole + "." + frac;
}

/**
 * Formats one line (with trailing newline) from the first `count` entries,
 * which the caller has ordered by key descending, then nid ascending.
 */
export function formatNeighborLine(
  id: number,
  nids: ArrayLike<number>,
  keys: ArrayLike<number>,
  count: number,
): string {
  let line = id + "\t";
  for (let i = 0; i < count; i++) {
    if (i > 0) line += ",";
    line += nids[i] + ":" + formatSimKey(keys[i]);
  }
  return line + "\n";
}

/** A neighbor file in CSR form: `ids[r]`'s neighbors are `nids/sims[offsets[r]..offsets[r+1])`. */
export interface NeighborLists {
  /** Ids with a line, ascending as in the file. */
  ids: Int32Array;
  offsets: Int32Array;
  nids: Int32Array;
  /** Similarities as printed (6 decimals). */
  sims: Float64Array;
}

/** A malformed neighbor file line (`line` 0: the file as a whole, e.g. unreadable). */
export class NeighborFormatError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, reason: string) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = "NeighborFormatError";
    this.file = file;
    this.line = line;
  }
}

const TAB = 9, NL = 10, CR = 13, COMMA = 44, COLON = 58;

/** Parses a whole neighbor file (bytes) into CSR arrays. */
export function parseNeighborFile(bytes: Uint8Array, file = "<neighbors>"): NeighborLists {
  let lines = 0, entries = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === NL) lines++;
    else if (c === COLON) entries++;
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] !== NL) lines++;
  const ids = new Int32Array(lines);
  const offsets = new Int32Array(lines + 1);
  const nids = new Int32Array(entries);
  const sims = new Float64Array(entries);
  let row = 0, e = 0, p = 0, lineNo = 0;
  while (p < bytes.length) {
    lineNo++;
    let nl = bytes.indexOf(NL, p);
    if (nl < 0) nl = bytes.length;
    let end = nl;
    if (end > p && bytes[end - 1] === CR) end--;
    if (end === p) {
      p = nl + 1;
      continue;
    }
    const tab = bytes.indexOf(TAB, p);
    if (tab < 0 || tab >= end) throw new NeighborFormatError(file, lineNo, "missing TAB after id");
    const id = parseIdBytes(bytes, p, tab);
    if (id < 0) throw new NeighborFormatError(file, lineNo, "bad id");
    if (row > 0 && id <= ids[row - 1]) {
      throw new NeighborFormatError(
        file,
        lineNo,
        `ids not ascending (${id} after ${ids[row - 1]})`,
      );
    }
    ids[row] = id;
    let q = tab + 1;
    while (q < end) {
      let comma = bytes.indexOf(COMMA, q);
      if (comma < 0 || comma > end) comma = end;
      const colon = bytes.indexOf(COLON, q);
      if (colon < 0 || colon >= comma) {
        throw new NeighborFormatError(file, lineNo, "entry without ':'");
      }
      const nid = parseIdBytes(bytes, q, colon);
      const sim = parseDecimalBytes(bytes, colon + 1, comma);
      if (nid < 0 || !Number.isFinite(sim) || colon + 1 === comma) {
        throw new NeighborFormatError(file, lineNo, "bad 'nid:sim' entry");
      }
      nids[e] = nid;
      sims[e] = sim;
      e++;
      q = comma + 1;
    }
    row++;
    offsets[row] = e;
    p = nl + 1;
  }
  return {
    ids: ids.subarray(0, row),
    offsets: offsets.subarray(0, row + 1),
    nids: nids.subarray(0, e),
    sims: sims.subarray(0, e),
  };
}

/** Reads a neighbor file's bytes; a path that is no readable file is named (NeighborFormatError). */
export async function readNeighborBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    const what = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.IsADirectory
      ? "is a directory, not a neighbor file"
      : `cannot read (${(err as Error).message})`;
    throw new NeighborFormatError(path, 0, what);
  }
}

/** Reads and parses a neighbor file from disk, unchecked (lib/neighbor_meta.ts verifies). */
export async function readNeighborFile(path: string): Promise<NeighborLists> {
  return parseNeighborFile(await readNeighborBytes(path), path);
}
