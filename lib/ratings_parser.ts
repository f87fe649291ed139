/**
 * Streaming byte-level parser for MovieLens ratings files
 * (`userId,movieId,rating,timestamp`).
 *
 * Input: chunks of bytes in file order. Accepts an optional UTF-8 BOM, an
 * optional header line (`userId,movieId,rating,timestamp`), LF or CRLF line
 * ends and a missing final newline. Ratings must be half stars 0.5..5.0 and
 * are delivered as integers `rating*2` (1..10). Ids and timestamps are
 * unsigned decimal integers (ids < 2^31, timestamps < 2^32).
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
import { type RatingsField, RatingsFormatError } from "./ratings_error.ts";

/** Receives parsed ratings; `buf[start, end)` is the line without terminator. */
export interface RatingSink {
  rating(
    user: number,
    movie: number,
    rating2: number,
    timestamp: number,
    buf: Uint8Array,
    start: number,
    end: number,
  ): void;
}

export interface RatingsParseOptions {
  /** File name used in error messages. */
  file: string;
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

const NL = 10, CR = 13, COMMA = 44, DOT = 46, ZERO = 48, NINE = 57;
const HEADER = new TextEncoder().encode("userId,movieId,rating,timestamp");

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
  readonly stats: RatingsParseStats = { records: 0, skipped: 0, bytes: 0 };

  constructor(sink: RatingSink, options: RatingsParseOptions) {
    this.#sink = sink;
    this.#opts = options;
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
      this.#parseLines(last, 0, last.length);
    }
    return this.stats;
  }

  /** Parses lines in buf[from, to); `to` is just after a newline. */
  #parseLines(buf: Uint8Array, from: number, to: number): void {
    let p = from;
    if (!this.#started) {
      this.#started = true;
      if (to - p >= 3 && buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3;
      if (p < to && (buf[p] < ZERO || buf[p] > NINE) && startsWith(buf, p, HEADER)) {
        let q = p + HEADER.length;
        if (buf[q] === CR) q++;
        if (buf[q] === NL) {
          this.#line++;
          p = q + 1;
        }
      }
    }
    const sink = this.#sink;
    while (p < to) {
      this.#line++;
      const start = p;
      // userId
      let user = 0, digits = 0, c = buf[p];
      while (c >= ZERO && c <= NINE) {
        user = user * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      if (digits === 0 || digits > 10 || user > 0x7fffffff || c !== COMMA) {
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
      c = buf[++p];
      // movieId
      let movie = 0;
      digits = 0;
      while (c >= ZERO && c <= NINE) {
        movie = movie * 10 + (c - ZERO);
        digits++;
        c = buf[++p];
      }
      if (digits === 0 || digits > 10 || movie > 0x7fffffff || c !== COMMA) {
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
      if (digits === 0 || digits > 2 || !fracOk || rating2 < 1 || rating2 > 10 || c !== COMMA) {
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
      if (c === CR) c = buf[++p];
      if (digits === 0 || digits > 10 || ts > 0xffffffff || c !== NL) {
        p = this.#fail(buf, start);
        continue;
      }
      p++;
      if (this.#pendingBlank !== 0) {
        const blank = this.#pendingBlank;
        this.#pendingBlank = 0;
        this.#report(blank, "line", "empty line");
      }
      this.stats.records++;
      sink.rating(user, movie, rating2, ts, buf, start, end);
    }
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
    const [field, reason] = diagnose(text);
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
function diagnose(line: string): [RatingsField, string] {
  const shown = line.length > 80 ? line.slice(0, 77) + "..." : line;
  const cols = line.split(",");
  if (cols.length !== 4) {
    return [
      "columns",
      `expected 4 columns (userId,movieId,rating,timestamp), got ${cols.length}: '${shown}'`,
    ];
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
 * Parses a whole ratings file, streaming it in 4 MiB chunks. `onChunk` runs
 * after each chunk's lines reached the sink, with the bytes read so far; it
 * may be async (a sink that buffers output flushes there), and is awaited.
 */
export async function parseRatingsFile(
  path: string,
  sink: RatingSink,
  options: Partial<RatingsParseOptions> & {
    onChunk?: (bytesRead: number) => void | Promise<void>;
  } = {},
): Promise<RatingsParseStats> {
  const parser = new RatingsParser(sink, { file: options.file ?? path, ...options });
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(4 << 20);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    parser.push(buf.subarray(0, n));
    await options.onChunk?.(parser.stats.bytes);
  }
  const stats = parser.finish();
  await options.onChunk?.(stats.bytes);
  return stats;
}
