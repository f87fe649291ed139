/**
 * Streaming byte-level parser for MovieLens ratings files: four fields
 * `userId movieId rating timestamp` separated by `,` (ratings.csv, ml-20m and
 * later), `::` (ratings.dat, ml-1m and ml-10m) or a TAB (u.data, ml-100k).
 *
 * Input: chunks of bytes in file order. Accepts an optional UTF-8 BOM, an
 * optional header line (`userId,movieId,rating,timestamp`, `,` only), LF or
 * CRLF line ends, spaces or TABs after the timestamp, and a missing final
 * newline. Ratings must be half stars
 * 0.5..5.0 and are delivered as integers `rating*2` (1..10). Ids and
 * timestamps are unsigned decimal integers (ids < 2^31, timestamps < 2^32).
 *
 * A last line without newline is where a cut-short download or copy ends, so
 * it must also look whole: its timestamp may not have fewer digits than the
 * line before it (`1475449` after `1475449921` is an error, not a 1970 date).
 *
 * Output: one `sink.rating(...)` call per valid line, in file order, with the
 * parsed values and the line's byte range (terminator excluded) so a caller
 * can copy the line verbatim (split does). A malformed line throws
 * {@link RatingsFormatError} naming file, line and field, or with
 * `skipInvalid` is counted and skipped.
 *
 * Time O(bytes), one pass, no strings or objects per line; memory O(chunk).
 * Blank lines are an error except at the very end of the file, because a
 * blank line in the middle usually means a concatenation or truncation bug.
 */
import { CSV_HEADERS } from "./run_dir.ts";
import {
  openRatingsInput,
  type RatingsField,
  RatingsFormatError,
  RatingsInputError,
} from "./ratings_error.ts";

/**
 * Receives parsed ratings; `buf[start, end)` is the line without terminator,
 * `line` its 1-based line number in the file.
 */
export interface RatingSink {
  rating(
    user: number,
    movie: number,
    rating2: number,
    timestamp: number,
    buf: Uint8Array,
    start: number,
    end: number,
    line: number,
  ): void;
}

export interface RatingsParseOptions {
  /** File name used in error messages. */
  file: string;
  /**
   * Field separator: `,` (ratings.csv), `::` (ratings.dat) or TAB (u.data).
   * @default ","
   */
  separator?: RatingsSeparator;
  /**
   * Skip and count malformed lines instead of throwing. Changes output.
   * @default false
   */
  skipInvalid?: boolean;
}

/** What a parse saw, for the command to print. */
export interface RatingsParseStats {
  /** Valid rating lines delivered to the sink. */
  records: number;
  /** Malformed lines skipped (only with `skipInvalid`). */
  skipped: number;
  /** The first skipped line's error, to show the user an example. */
  firstSkipped?: RatingsFormatError;
  /** Bytes consumed. */
  bytes: number;
}

/** The field separators of the GroupLens releases. */
export const RATINGS_SEPARATORS = [",", "::", "\t"] as const;
export type RatingsSeparator = typeof RATINGS_SEPARATORS[number];

const NL = 10, CR = 13, TAB = 9, SPACE = 32, DOT = 46, ZERO = 48, NINE = 57;
const HEADER = new TextEncoder().encode(CSV_HEADERS.ratings);

/**
 * Incremental parser: feed chunks with {@link RatingsParser.push}, then call
 * {@link RatingsParser.finish}. Lines may span chunks.
 */
export class RatingsParser {
  #opts: RatingsParseOptions;
  #sink: RatingSink;
  #carry: Uint8Array = new Uint8Array(0);
  #line = 0;
  #pendingBlank = 0;
  #started = false;
  /** The separator's byte, and whether it is doubled (`::`). */
  #sep: number;
  #sepTwice: boolean;
  /** Timestamp digits of the last line parsed (the truncation check of a last line). */
  #tsDigits = 0;
  /** Set while parsing a last line that had no newline. */
  #unterminated = false;
  readonly stats: RatingsParseStats = { records: 0, skipped: 0, bytes: 0 };

  constructor(sink: RatingSink, options: RatingsParseOptions) {
    this.#sink = sink;
    this.#opts = options;
    const sep = options.separator ?? ",";
    this.#sep = sep.charCodeAt(0);
    this.#sepTwice = sep.length === 2;
  }

  /** Parses every complete line in `chunk` and keeps the incomplete tail. */
  push(chunk: Uint8Array): void {
    this.stats.bytes += chunk.length;
    let from = 0;
    if (this.#carry.length > 0) {
      // Only the partial line is copied, so a line spanning chunks costs its
      // own length, not the chunk's.
      const firstNl = chunk.indexOf(NL);
      if (firstNl < 0) {
        this.#carry = concat(this.#carry, chunk);
        return;
      }
      const head = concat(this.#carry, chunk.subarray(0, firstNl + 1));
      this.#carry = new Uint8Array(0);
      this.#parseLines(head, 0, head.length);
      from = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= from) this.#parseLines(chunk, from, lastNl + 1);
    const tail = Math.max(from, lastNl + 1);
    if (tail < chunk.length) this.#carry = chunk.slice(tail);
  }

  /** Parses the final line (if the file has no trailing newline). */
  finish(): RatingsParseStats {
    if (this.#carry.length > 0) {
      const last = concat(this.#carry, new Uint8Array([NL]));
      this.#carry = new Uint8Array(0);
      this.#unterminated = true;
      this.#parseLines(last, 0, last.length);
      this.#unterminated = false;
    }
    return this.stats;
  }

  /** Parses lines in buf[from, to); `to` is just after a newline. */
  #parseLines(buf: Uint8Array, from: number, to: number): void {
    let p = from;
    if (!this.#started) {
      this.#started = true;
      if (to - p >= 3 && buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3;
      if (
        p < to && (buf[p] < ZERO || buf[p] > NINE) && !this.#sepTwice && this.#sep === 44 &&
        startsWith(buf, p, HEADER)
      ) {
        let q = p + HEADER.length;
        if (buf[q] === CR) q++;
        if (buf[q] === NL) {
          this.#line++;
          p = q + 1;
        }
      }
    }
    const sink = this.#sink;
    // One separator byte, checked twice for `::`; the CSV path pays one
    // predictable branch per field for it (measured: no change in MB/s).
    const SEP = this.#sep, twice = this.#sepTwice, unterminated = this.#unterminated;
    let tsDigits = this.#tsDigits;
    while (p < to) {
      this.#line++;
      const start = p;
      // The four field loops below are written out, not shared: a call per field on 32M lines
      // costs the parser's MB/s (the 300 MB/s target); each keeps its own checks.
      // userId
      let user = 0, digits = 0, c = buf[p];
      while (c >= ZERO && c <= NINE) {
        user = user * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      if (digits === 0 || digits > 10 || user > 0x7fffffff || c !== SEP) {
        if (c === NL || (c === CR && buf[p + 1] === NL)) {
          if (digits === 0 && p === start) {
            // A blank line: fine only if nothing but blank lines follow.
            if (this.#pendingBlank === 0) this.#pendingBlank = this.#line;
            p = p + (c === CR ? 2 : 1);
            continue;
          }
        }
        p = this.#fail(buf, start);
        continue;
      }
      if (twice && buf[++p] !== SEP) {
        p = this.#fail(buf, start);
        continue;
      }
      c = buf[++p];
      // movieId
      let movie = 0;
      digits = 0;
      while (c >= ZERO && c <= NINE) {
        movie = movie * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      if (
        digits === 0 || digits > 10 || movie > 0x7fffffff || c !== SEP ||
        (twice && buf[++p] !== SEP)
      ) {
        p = this.#fail(buf, start);
        continue;
      }
      c = buf[++p];
      // rating: integer part, optional fraction whose first digit is 0 or 5
      let whole = 0;
      digits = 0;
      while (c >= ZERO && c <= NINE) {
        whole = whole * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      let half = 0, fracOk = true;
      if (c === DOT) {
        c = buf[++p];
        if (c === ZERO + 5) half = 1;
        else if (c !== ZERO) fracOk = false;
        if (c >= ZERO && c <= NINE) c = buf[++p];
        while (c >= ZERO && c <= NINE) {
          if (c !== ZERO) fracOk = false;
          c = buf[++p];
        }
      }
      const rating2 = whole * 2 + half;
      if (
        digits === 0 || digits > 2 || !fracOk || rating2 < 1 || rating2 > 10 || c !== SEP ||
        (twice && buf[++p] !== SEP)
      ) {
        p = this.#fail(buf, start);
        continue;
      }
      c = buf[++p];
      // timestamp
      let ts = 0;
      digits = 0;
      while (c >= ZERO && c <= NINE) {
        ts = ts * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      const end = p;
      if (c !== NL) {
        // Trailing blanks: a widely shared copy of ml-100k has a TAB after a timestamp.
        while (c === TAB || c === SPACE) c = buf[++p];
        if (c === CR) c = buf[++p];
      }
      if (digits === 0 || digits > 10 || ts > 0xffffffff || c !== NL) {
        p = this.#fail(buf, start);
        continue;
      }
      if (unterminated && digits < tsDigits) {
        p = this.#truncated(buf, start, end, tsDigits);
        continue;
      }
      tsDigits = digits;
      p++;
      if (this.#pendingBlank !== 0) {
        const blank = this.#pendingBlank;
        this.#pendingBlank = 0;
        this.#report(blank, "line", "empty line");
      }
      this.stats.records++;
      sink.rating(user, movie, rating2, ts, buf, start, end, this.#line);
    }
    this.#tsDigits = tsDigits;
  }

  /** Reports a last line whose timestamp is shorter than the line before's. */
  #truncated(buf: Uint8Array, start: number, end: number, before: number): number {
    let q = end;
    while (q > start && buf[q - 1] >= ZERO && buf[q - 1] <= NINE) q--;
    const text = new TextDecoder().decode(buf.subarray(start, end));
    this.#report(
      this.#line,
      "timestamp",
      `last line '${text}' ends without a newline in a ${end - q}-digit timestamp after ` +
        `a ${before}-digit one: the file looks cut short`,
    );
    return buf.indexOf(NL, start) + 1;
  }

  /**
   * Reports the malformed line starting at `start` and returns the next
   * line's offset. The hot loop only detects failure; this cold path works
   * out which field is wrong from the line's text.
   */
  #fail(buf: Uint8Array, start: number): number {
    let nl = buf.indexOf(NL, start);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > start && buf[end - 1] === CR) end--;
    const text = new TextDecoder().decode(buf.subarray(start, end));
    const [field, reason] = diagnose(text, this.#opts.separator ?? ",");
    this.#report(this.#line, field, reason);
    return nl + 1;
  }

  #report(line: number, field: RatingsField, reason: string): void {
    const err = new RatingsFormatError(this.#opts.file, line, field, reason);
    if (!this.#opts.skipInvalid) throw err;
    this.stats.skipped++;
    this.stats.firstSkipped ??= err;
  }
}

/** Names the first wrong field of a malformed line and why. */
function diagnose(line: string, sep: RatingsSeparator): [RatingsField, string] {
  const shown = line.length > 80 ? line.slice(0, 77) + "..." : line;
  const cols = line.split(sep);
  if (cols.length !== 4) {
    const names = ["userId", "movieId", "rating", "timestamp"].join(sep === "\t" ? "<TAB>" : sep);
    return ["columns", `expected 4 columns (${names}), got ${cols.length}: '${shown}'`];
  }
  const [user, movie, rating, ts] = cols;
  const isId = (v: string) => /^\d{1,10}$/.test(v) && Number(v) <= 0x7fffffff;
  if (!isId(user)) return ["userId", `'${user}' is not a non-negative integer id`];
  if (!isId(movie)) return ["movieId", `'${movie}' is not a non-negative integer id`];
  const r = Number(rating);
  if (!/^\d{1,2}(\.\d+)?$/.test(rating) || r < 0.5 || r > 5 || !Number.isInteger(r * 2)) {
    return ["rating", `'${rating}' is not a half-star rating between 0.5 and 5.0`];
  }
  return ["timestamp", `'${ts}' is not a non-negative integer timestamp`];
}

function startsWith(buf: Uint8Array, p: number, prefix: Uint8Array): boolean {
  if (buf.length - p < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[p + i] !== prefix[i]) return false;
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * The separator of a ratings file from its first rating line (after a BOM
 * and a header): `::` if it holds one, else TAB if it holds one, else `,`.
 */
export function sniffSeparator(bytes: Uint8Array): RatingsSeparator {
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let tries = 0; tries < 2 && p < bytes.length; tries++) {
    let nl = bytes.indexOf(NL, p);
    if (nl < 0) nl = bytes.length;
    if (bytes[p] >= ZERO && bytes[p] <= NINE) {
      for (let i = p; i < nl; i++) {
        if (bytes[i] === 58 && bytes[i + 1] === 58) return "::";
        if (bytes[i] === 9) return "\t";
      }
      return ",";
    }
    p = nl + 1;
  }
  return ",";
}

/**
 * Parses a whole ratings file, streaming it in 4 MiB chunks. The separator
 * is sniffed from the first line unless `separator` is given. `onChunk` runs
 * after each chunk's lines reached the sink, with the bytes read so far; it
 * may be async (a sink that buffers output flushes there), and is awaited.
 * A path that is no readable file, and a file without one valid rating
 * (0 bytes, header only, blank lines only, every line skipped), throw
 * {@link RatingsInputError} naming the path.
 */
export async function parseRatingsFile(
  path: string,
  sink: RatingSink,
  options: Partial<RatingsParseOptions> & {
    onChunk?: (bytesRead: number) => void | Promise<void>;
  } = {},
): Promise<RatingsParseStats> {
  const file = options.file ?? path;
  using input = await openRatingsInput(path);
  const buf = new Uint8Array(4 << 20);
  let parser: RatingsParser | null = null;
  for (;;) {
    let n: number | null;
    try {
      n = await input.read(buf);
    } catch (err) {
      throw new RatingsInputError(file, `cannot read (${(err as Error).message})`);
    }
    if (n === null) break;
    const chunk = buf.subarray(0, n);
    parser ??= new RatingsParser(sink, {
      ...options,
      file,
      separator: options.separator ?? sniffSeparator(chunk),
    });
    parser.push(chunk);
    await options.onChunk?.(parser.stats.bytes);
  }
  parser ??= new RatingsParser(sink, { ...options, file });
  const stats = parser.finish();
  await options.onChunk?.(stats.bytes);
  if (stats.records === 0) {
    throw new RatingsInputError(
      file,
      stats.skipped > 0 ? `no ratings (all ${stats.skipped} lines malformed)` : "no ratings",
    );
  }
  return stats;
}
