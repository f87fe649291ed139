/**
 * Byte-level line I/O for Hadoop Streaming tasks.
 *
 * A streaming task is a single-threaded filter (stdin → stdout), so it uses
 * synchronous reads and writes on large buffers: one `readSync` per MiB of
 * input, one `writeSync` per MiB of output, no promise per line. Records are
 * `key<TAB>value` lines whose fields are decimal integers separated by `,`;
 * {@link parseRecord} reads one into a reused Float64Array without creating a
 * string, and {@link LineWriter} prints integers straight into its buffer.
 *
 * Malformed lines go through a {@link Reporter}: counted as the Hadoop
 * Streaming counter `reporter:counter:recsys,malformed,N` on stderr (one
 * counter line per input chunk that had any) and skipped, or, with `strict`,
 * thrown as {@link MalformedRecordError} so the task fails.
 */

import { writeUintBytes } from "../lib/decimal_bytes.ts";

/** A source of bytes read synchronously (`Deno.stdin`, or bytes in a test). */
export interface SyncReader {
  readSync(p: Uint8Array): number | null;
}

/** A sink of bytes written synchronously (`Deno.stdout`, or a buffer in a test). */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

/** A malformed input line in strict mode. */
export class MalformedRecordError extends Error {
  /** The subcommand that read it, e.g. `mr2-reduce`. */
  readonly stage: string;
  /** 1-based line number within this task's input. */
  readonly line: number;
  readonly reason: string;
  constructor(stage: string, line: number, reason: string) {
    super(`${stage}: input line ${line}: ${reason}`);
    this.name = "MalformedRecordError";
    this.stage = stage;
    this.line = line;
    this.reason = reason;
  }
}

const encoder = new TextEncoder();
export const TAB = 9, NL = 10, COMMA = 44;
const CR = 13, MINUS = 45, ZERO = 48;

function writeAllSync(sink: SyncWriter, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += sink.writeSync(data.subarray(off));
}

/**
 * Buffered line output. Callers {@link reserve} room for a line once, then
 * append its bytes with the unchecked `put*` methods.
 */
export class LineWriter {
  #sink: SyncWriter;
  buf: Uint8Array;
  used = 0;

  constructor(sink: SyncWriter, size = 1 << 20) {
    this.#sink = sink;
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes (flushing, or growing for one long line). */
  reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  put(byte: number): void {
    this.buf[this.used++] = byte;
  }

  /** Appends a non-negative integer below 2^53 in decimal (at most 16 bytes). */
  putUint(v: number): void {
    this.used = writeUintBytes(this.buf, this.used, v);
  }

  /** Appends a signed integer (−0 prints as 0). */
  putInt(v: number): void {
    if (v < 0) {
      this.buf[this.used++] = MINUS;
      this.putUint(-v);
    } else this.putUint(v === 0 ? 0 : v);
  }

  /** Appends a non-negative integer below 10^10 zero-padded to 10 digits. */
  putPadded10(v: number): void {
    const buf = this.buf;
    let x = v;
    for (let p = this.used + 9; p >= this.used; p--) {
      const q = Math.floor(x / 10);
      buf[p] = ZERO + x - q * 10;
      x = q;
    }
    this.used += 10;
  }

  /** Appends bytes. */
  putBytes(src: Uint8Array, start: number, end: number): void {
    this.buf.set(src.subarray(start, end), this.used);
    this.used += end - start;
  }

  /** Appends an ASCII string (reserves room itself). */
  putAscii(text: string): void {
    this.reserve(text.length);
    this.used += encoder.encodeInto(text, this.buf.subarray(this.used)).written;
  }

  flush(): void {
    if (this.used === 0) return;
    writeAllSync(this.#sink, this.buf.subarray(0, this.used));
    this.used = 0;
  }
}

/** Counts malformed lines as Hadoop counters, or fails on the first one when strict. */
export class Reporter {
  readonly stage: string;
  readonly strict: boolean;
  #err: SyncWriter;
  #pending = 0;
  /** Malformed lines seen (and skipped). */
  malformed = 0;

  constructor(stage: string, strict: boolean, err: SyncWriter) {
    this.stage = stage;
    this.strict = strict;
    this.#err = err;
  }

  /** A malformed line: throws when strict; else counts it (the first one is described). */
  malformedLine(line: number, reason: string): void {
    if (this.strict) throw new MalformedRecordError(this.stage, line, reason);
    if (this.malformed === 0) {
      this.message(`${this.stage}: skipping malformed input line ${line}: ${reason}`);
    }
    this.malformed++;
    this.#pending++;
  }

  /** Adds `n` to a counter of group `recsys`. */
  counter(name: string, n: number): void {
    if (n > 0) this.message(`reporter:counter:recsys,${name},${n}`);
  }

  /** Emits the malformed count gathered since the last call. */
  endChunk(): void {
    const n = this.#pending;
    this.#pending = 0;
    this.counter("malformed", n);
  }

  message(text: string): void {
    writeAllSync(this.#err, encoder.encode(text + "\n"));
  }
}

/**
 * Calls `onLine(buf, start, end, lineNo)` for every line of `input` (end
 * excludes the terminator and a CR before it), then `reporter.endChunk()`
 * after each chunk. A line spanning chunks is moved to the buffer's start
 * and completed by the next read, so each byte is copied at most once more.
 */
export function forEachLine(
  input: SyncReader,
  reporter: Reporter,
  onLine: (buf: Uint8Array, start: number, end: number, lineNo: number) => void,
  chunkSize = 1 << 20,
): void {
  let buf = new Uint8Array(chunkSize);
  let filled = 0, lineNo = 0;
  for (;;) {
    if (filled === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = input.readSync(buf.subarray(filled));
    const eof = n === null || n === 0;
    if (!eof) filled += n;
    let p = 0;
    for (;;) {
      let nl = buf.indexOf(NL, p);
      if (nl < 0 || nl >= filled) {
        if (!eof || p >= filled) break;
        nl = filled;
      }
      lineNo++;
      const end = nl > p && buf[nl - 1] === CR ? nl - 1 : nl;
      onLine(buf, p, end, lineNo);
      p = nl + 1;
    }
    reporter.endChunk();
    if (eof) return;
    buf.copyWithin(0, p, filled);
    filled -= p;
  }
}

/** The value {@link parseRecord} returns for `keyFields` key and `fields` fields in all. */
export function recordShape(keyFields: number, fields: number): number {
  return keyFields * 16 + fields;
}

/**
 * Parses `int(,int)*<TAB>int(,int)*` in `buf[start, end)` into `vals`
 * (at most 15 fields). Integers are optionally signed, at most 15 digits.
 * Returns the record's {@link recordShape}, or -1 when malformed or there
 * are more than `vals.length` fields.
 */
export function parseRecord(
  buf: Uint8Array,
  start: number,
  end: number,
  vals: Float64Array,
): number {
  let p = start, count = 0, keyFields = -1;
  for (;;) {
    let neg = false;
    if (p < end && buf[p] === MINUS) {
      neg = true;
      p++;
    }
    let v = 0, digits = 0;
    while (p < end) {
      const d = buf[p] - ZERO;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      digits++;
      p++;
    }
    if (digits === 0 || digits > 15 || count === vals.length) return -1;
    vals[count++] = neg ? -v : v;
    if (p === end) break;
    const c = buf[p++];
    if (c === TAB) {
      if (keyFields >= 0) return -1;
      keyFields = count;
    } else if (c !== COMMA) return -1;
  }
  if (keyFields < 0) return -1;
  return recordShape(keyFields, count);
}
