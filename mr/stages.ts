/**
 * The Hadoop Streaming tasks of MR1–MR4 (user mode shown; item mode swaps
 * the roles of users and movies). Every task reads `key<TAB>value` lines on
 * stdin and writes such lines on stdout; ratings are half-star integers
 * `rating*2` (1..10), so every sum is an exact integer.
 *
 * | task | input | output |
 * |---|---|---|
 * | mr1-map | `userId,movieId,rating,ts` | `movieId \t userId,r` |
 * | mr1-reduce | grouped by movie | `a,b \t ra,rb` for each pair of its raters a < b, after the `--max-raters` cap |
 * | mr2-map | `a,b \t ra,rb` | the same, checked |
 * | mr2-combine | grouped by pair | `a,b \t n,Σx,Σy,Σxy,Σx²,Σy²` partial sums (a pair seen once stays `x,y`) |
 * | mr2-reduce | grouped by pair | full sums, pairs with n < --min-common dropped |
 * | mr3-map (map-only) | full sums | `A \t b,key` and `B \t a,key`, key = simKey(sim), ids zero-padded to 10 digits |
 * | mr4-map | `A \t b,key` | the same, checked |
 * | mr4-combine | grouped by row | the row's K best `A \t b,key` |
 * | mr4-reduce | grouped by row | the neighbor file line (formatNeighborLine) |
 *
 * MR2's combiner and reducer accept both value forms (one co-rating `x,y`
 * or partial sums), since Hadoop may run the combiner zero or more times.
 * Grouping keys are canonical decimals (parsed and re-printed), so equal ids
 * always give equal key bytes; MR3/MR4 row keys are zero-padded so that
 * bytewise order is numeric order and each reducer's output is sorted by id.
 * Reducers make no assumption about which keys they receive, only that equal
 * keys are adjacent (Hadoop's contract).
 *
 * Ranking (MR4): keep the K largest keys, ties by smaller neighbor id,
 * entries printed key descending then id ascending — the in-process engine's
 * contract, so the files are byte-identical.
 */
import { flagName } from "../lib/command.ts";
import { formatNeighborLine, simKey } from "../lib/neighbor_file.ts";
import { MODE_FLAG, NEIGHBOR_FLAGS, type NeighborParams } from "../lib/neighbors/options.ts";
import { capGroup } from "../lib/rater_cap.ts";
import { DuplicateRatingError } from "../lib/rating_matrix.ts";
import { RatingsFormatError } from "../lib/ratings_error.ts";
import { type RatingSink, RatingsParser } from "../lib/ratings_parser.ts";
import { similarityFromSums } from "../lib/similarity.ts";
import { TopK } from "../lib/top_k.ts";
import {
  COMMA,
  forEachLine,
  type LineWriter,
  NL,
  parseRecord,
  recordShape,
  type Reporter,
  type SyncReader,
  TAB,
} from "./line_io.ts";

/** Options a task may take (the neighbor file's parameters); each task reads only its own. */
export type TaskOptions = NeighborParams;

/** A streaming task: reads all of `input`, writes records to `out`. */
export type Task = (
  input: SyncReader,
  out: LineWriter,
  reporter: Reporter,
  options: TaskOptions,
) => void;

const MAX_ID = 0x7fffffff;

function isId(v: number): boolean {
  return v >= 0 && v <= MAX_ID;
}

function isRating(v: number): boolean {
  return v >= 1 && v <= 10;
}

/** MR1 map: a rating line → `group \t member,r` (group = movie in user mode). */
function mr1Map(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  const byMovie = o.mode === "user";
  const sink: RatingSink = {
    rating(user, movie, r2) {
      out.reserve(32);
      out.putUint(byMovie ? movie : user);
      out.put(TAB);
      out.putUint(byMovie ? user : movie);
      out.put(COMMA);
      out.putUint(r2);
      out.put(NL);
    },
  };
  const parser = new RatingsParser(sink, { file: "stdin", skipInvalid: !reporter.strict });
  const buf = new Uint8Array(1 << 20);
  let skipped = 0;
  const account = () => {
    const s = parser.stats;
    if (s.skipped > skipped) {
      if (skipped === 0 && s.firstSkipped) reportRatingsError(reporter, s.firstSkipped);
      reporter.malformed += s.skipped - skipped;
      reporter.counter("malformed", s.skipped - skipped);
      skipped = s.skipped;
    }
  };
  for (;;) {
    const n = input.readSync(buf);
    if (n === null || n === 0) break;
    parser.push(buf.subarray(0, n));
    account();
  }
  parser.finish();
  account();
}

function reportRatingsError(reporter: Reporter, err: RatingsFormatError): void {
  reporter.message(`${reporter.stage}: skipping malformed input line ${err.line}: ${err.reason}`);
}

/** Growable parallel (member, rating) columns of one group. */
class Members {
  ids = new Int32Array(1024);
  ratings = new Uint8Array(1024);
  length = 0;
  push(id: number, r: number): void {
    if (this.length === this.ids.length) {
      const ids = new Int32Array(this.length * 2);
      ids.set(this.ids);
      const ratings = new Uint8Array(this.length * 2);
      ratings.set(this.ratings);
      this.ids = ids;
      this.ratings = ratings;
    }
    this.ids[this.length] = id;
    this.ratings[this.length++] = r;
  }
}

/**
 * MR1 reduce: a group's members → every pair `a,b \t ra,rb` with a < b.
 * With `maxRaters` N > 0, a group of more than N members first keeps the N
 * that lib/rater_cap.ts keeps.
 * Memory O(group size); output O(min(size, N)²) lines per group.
 */
function mr1Reduce(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  const vals = new Float64Array(3);
  const shape = recordShape(1, 3);
  const members = new Members();
  let group = -1, capped = 0;
  let sorted = new Float64Array(1024);
  let keep = new Uint8Array(1024);
  let digits = new Uint8Array(1024 * 11);
  let starts = new Int32Array(1025);

  const finishGroup = () => {
    const count = members.length;
    if (sorted.length < count) sorted = new Float64Array(count * 2);
    let kept = count;
    if (o.maxRaters > 0 && count > o.maxRaters) {
      capped++;
      if (keep.length < count) keep = new Uint8Array(count * 2);
      capGroup(group, members.ids, count, o.maxRaters, keep);
      let n = 0;
      for (let i = 0; i < count; i++) {
        if (keep[i]) sorted[n++] = members.ids[i] * 16 + members.ratings[i];
      }
      kept = n;
    } else {
      for (let i = 0; i < count; i++) sorted[i] = members.ids[i] * 16 + members.ratings[i];
    }
    // Members ascending by id (rating in the low 4 bits), so each pair is a < b.
    const ms = sorted.subarray(0, kept).sort();
    if (digits.length < kept * 11) {
      digits = new Uint8Array(kept * 22);
      starts = new Int32Array(kept * 2 + 1);
    }
    let d = 0;
    for (let i = 0; i < kept; i++) {
      const id = Math.floor(ms[i] / 16);
      if (i > 0 && id === Math.floor(ms[i - 1] / 16)) {
        throw o.mode === "user"
          ? new DuplicateRatingError(id, group)
          : new DuplicateRatingError(group, id);
      }
      starts[i] = d;
      const text = String(id);
      for (let c = 0; c < text.length; c++) digits[d++] = text.charCodeAt(c);
    }
    starts[kept] = d;
    // The pair explosion: each line is two pre-printed ids and two digits.
    for (let i = 0; i < kept; i++) {
      const ri = ms[i] % 16;
      const ai = starts[i], bi = starts[i + 1];
      for (let j = i + 1; j < kept; j++) {
        out.reserve(30);
        out.putBytes(digits, ai, bi);
        out.put(COMMA);
        out.putBytes(digits, starts[j], starts[j + 1]);
        out.put(TAB);
        out.putUint(ri);
        out.put(COMMA);
        out.putUint(ms[j] % 16);
        out.put(NL);
      }
    }
    members.length = 0;
  };

  forEachLine(input, reporter, (buf, start, end, line) => {
    if (parseRecord(buf, start, end, vals) !== shape) {
      return reporter.malformedLine(line, "expected 'group<TAB>member,rating'");
    }
    if (!isId(vals[0]) || !isId(vals[1]) || !isRating(vals[2])) {
      return reporter.malformedLine(line, "id or rating out of range");
    }
    if (vals[0] !== group) {
      if (members.length > 0) finishGroup();
      group = vals[0];
    }
    members.push(vals[1], vals[2]);
  });
  if (members.length > 0) finishGroup();
  reporter.counter("groups-capped", capped);
}

/**
 * Checks a parsed pair record of `shape` (`a,b \t x,y` or
 * `a,b \t n,sx,sy,sxy,sxx,syy`) and turns it into sums form in place.
 */
function checkPair(shape: number, vals: Float64Array): boolean {
  if (shape < 0 || !isId(vals[0]) || !isId(vals[1]) || vals[0] >= vals[1]) return false;
  if (shape === PAIR_RATINGS) {
    if (!isRating(vals[2]) || !isRating(vals[3])) return false;
    const x = vals[2], y = vals[3];
    vals[2] = 1;
    vals[3] = x;
    vals[4] = y;
    vals[5] = x * y;
    vals[6] = x * x;
    vals[7] = y * y;
    return true;
  }
  return shape === PAIR_SUMS && vals[2] >= 1 && vals[3] >= vals[2] && vals[4] >= vals[2] &&
    vals[5] >= vals[2] && vals[6] >= vals[2] && vals[7] >= vals[2];
}
const PAIR_RATINGS = recordShape(2, 4);
const PAIR_SUMS = recordShape(2, 8);
const PAIR_HELP = "expected 'a,b<TAB>x,y' or 'a,b<TAB>n,sx,sy,sxy,sxx,syy' with a < b";

/** MR2 map: checks pair records and passes them on (canonical form). */
function mr2Map(input: SyncReader, out: LineWriter, reporter: Reporter) {
  const vals = new Float64Array(8);
  forEachLine(input, reporter, (buf, start, end, line) => {
    const shape = parseRecord(buf, start, end, vals);
    const x = vals[2], y = vals[3];
    if (!checkPair(shape, vals)) return reporter.malformedLine(line, PAIR_HELP);
    out.reserve(128);
    out.putUint(vals[0]);
    out.put(COMMA);
    out.putUint(vals[1]);
    out.put(TAB);
    if (shape === PAIR_RATINGS) {
      out.putUint(x);
      out.put(COMMA);
      out.putUint(y);
    } else {
      for (let f = 2; f < 8; f++) {
        if (f > 2) out.put(COMMA);
        out.putUint(vals[f]);
      }
    }
    out.put(NL);
  });
}

/**
 * MR2 combine/reduce: sums each pair's `n, Σx, Σy, Σxy, Σx², Σy²`. The
 * reducer (`minCommon` > 0) drops pairs with n < minCommon; the combiner
 * (`minCommon` = 0) sees only part of a pair's ratings, keeps every pair,
 * and writes a pair it saw once back as `x,y`: most pairs occur once per
 * map split, and the short form keeps the combiner from growing the data.
 */
function mr2Sum(input: SyncReader, out: LineWriter, reporter: Reporter, minCommon: number) {
  const vals = new Float64Array(8);
  const sums = new Float64Array(8);
  let open = false;
  const emit = () => {
    if (sums[2] < minCommon) return;
    out.reserve(128);
    out.putUint(sums[0]);
    out.put(COMMA);
    out.putUint(sums[1]);
    out.put(TAB);
    if (minCommon === 0 && sums[2] === 1) {
      out.putUint(sums[3]);
      out.put(COMMA);
      out.putUint(sums[4]);
    } else {
      for (let f = 2; f < 8; f++) {
        if (f > 2) out.put(COMMA);
        out.putUint(sums[f]);
      }
    }
    out.put(NL);
  };
  forEachLine(input, reporter, (buf, start, end, line) => {
    if (!checkPair(parseRecord(buf, start, end, vals), vals)) {
      return reporter.malformedLine(line, PAIR_HELP);
    }
    if (open && vals[0] === sums[0] && vals[1] === sums[1]) {
      for (let f = 2; f < 8; f++) sums[f] += vals[f];
      return;
    }
    if (open) emit();
    sums.set(vals);
    open = true;
  });
  if (open) emit();
}

function mr2Combine(input: SyncReader, out: LineWriter, reporter: Reporter) {
  mr2Sum(input, out, reporter, 0);
}

function mr2Reduce(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  mr2Sum(input, out, reporter, Math.max(1, o.minCommon));
}

/**
 * MR3 map (a map-only job): full pair sums → the similarity's integer key,
 * emitted once per direction, keyed by the zero-padded row id. Pairs with
 * n < minCommon or an undefined similarity are dropped.
 */
function mr3Map(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  const vals = new Float64Array(8);
  let dropped = 0;
  forEachLine(input, reporter, (buf, start, end, line) => {
    const shape = parseRecord(buf, start, end, vals);
    if (shape !== PAIR_SUMS || !checkPair(shape, vals)) {
      return reporter.malformedLine(line, "expected 'a,b<TAB>n,sx,sy,sxy,sxx,syy' with a < b");
    }
    const n = vals[2];
    if (n < o.minCommon) return;
    const sim = similarityFromSums(
      o.similarity,
      n,
      vals[3],
      vals[4],
      vals[5],
      vals[6],
      vals[7],
      o.shrink,
    );
    if (Number.isNaN(sim)) {
      dropped++;
      return;
    }
    const key = simKey(sim);
    out.reserve(64);
    for (let side = 0; side < 2; side++) {
      out.putPadded10(vals[side]);
      out.put(TAB);
      out.putUint(vals[1 - side]);
      out.put(COMMA);
      out.putInt(key);
      out.put(NL);
    }
  });
  reporter.counter("undefined-similarity", dropped);
}

const ROW_ENTRY = recordShape(1, 3);
const ROW_HELP = "expected 'row<TAB>neighbor,key'";

function readRowEntry(buf: Uint8Array, start: number, end: number, vals: Float64Array): boolean {
  return parseRecord(buf, start, end, vals) === ROW_ENTRY && isId(vals[0]) && isId(vals[1]) &&
    vals[2] >= -1e6 && vals[2] <= 1e6;
}

/** MR4 map: checks row entries and passes them on. */
function mr4Map(input: SyncReader, out: LineWriter, reporter: Reporter) {
  const vals = new Float64Array(3);
  forEachLine(input, reporter, (buf, start, end, line) => {
    if (!readRowEntry(buf, start, end, vals)) return reporter.malformedLine(line, ROW_HELP);
    out.reserve(48);
    out.putPadded10(vals[0]);
    out.put(TAB);
    out.putUint(vals[1]);
    out.put(COMMA);
    out.putInt(vals[2]);
    out.put(NL);
  });
}

/** Groups row entries by row and hands each row's K best (lib/top_k.ts) to `emit`. */
function mr4Group(
  input: SyncReader,
  reporter: Reporter,
  k: number,
  emit: (row: number, top: TopK) => void,
) {
  const vals = new Float64Array(3);
  const top = new TopK(k);
  let row = -1;
  forEachLine(input, reporter, (buf, start, end, line) => {
    if (!readRowEntry(buf, start, end, vals)) return reporter.malformedLine(line, ROW_HELP);
    if (vals[0] !== row) {
      if (top.size > 0) emit(row, top);
      row = vals[0];
    }
    top.push(vals[2], vals[1]);
  });
  if (top.size > 0) emit(row, top);
}

/** MR4 combine: a row's K best entries, in the map output form. */
function mr4Combine(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  mr4Group(input, reporter, o.k, (row, top) => {
    const count = top.drain();
    for (let i = 0; i < count; i++) {
      out.reserve(48);
      out.putPadded10(row);
      out.put(TAB);
      out.putUint(top.ids[i]);
      out.put(COMMA);
      out.putInt(top.keys[i]);
      out.put(NL);
    }
  });
}

/** MR4 reduce: a row's K best entries as its neighbor file line. */
function mr4Reduce(input: SyncReader, out: LineWriter, reporter: Reporter, o: TaskOptions) {
  mr4Group(input, reporter, o.k, (row, top) => {
    const count = top.drain();
    out.putAscii(formatNeighborLine(row, top.ids, top.keys, count));
  });
}

/** The options each task reads, as `--kebab-case` flags of its subcommand. */
export const TASK_FLAGS = { mode: MODE_FLAG, ...NEIGHBOR_FLAGS };

/** A subcommand of the binary: the task and the options it reads. */
export interface TaskSpec {
  run: Task;
  options: readonly (keyof TaskOptions)[];
}

/** Every subcommand of the binary. */
export const TASKS: Readonly<Record<string, TaskSpec>> = {
  "mr1-map": { run: mr1Map, options: ["mode"] },
  "mr1-reduce": { run: mr1Reduce, options: ["mode", "maxRaters"] },
  "mr2-map": { run: mr2Map, options: [] },
  "mr2-combine": { run: mr2Combine, options: [] },
  "mr2-reduce": { run: mr2Reduce, options: ["minCommon"] },
  "mr3-map": { run: mr3Map, options: ["minCommon", "similarity", "shrink"] },
  "mr4-map": { run: mr4Map, options: [] },
  "mr4-combine": { run: mr4Combine, options: ["k"] },
  "mr4-reduce": { run: mr4Reduce, options: ["k"] },
};

/** The argv of subcommand `task` for `options` (flags in the order the task lists them). */
export function taskArgv(task: string, options: TaskOptions, strict = false): string[] {
  const argv = [task];
  for (const key of TASKS[task].options) argv.push(`--${flagName(key)}`, String(options[key]));
  if (strict) argv.push("--strict");
  return argv;
}
