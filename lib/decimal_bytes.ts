/**
 * Number parsing and printing straight from and into bytes, for files with
 * millions of numeric fields (neighbor files, recommendations, MR records)
 * where a string per field would dominate the cost. Each function is O(digits).
 *
 * @example
 * ```ts
 * import { parseIdBytes, writeUintBytes } from "./decimal_bytes.ts";
 * const buf = new Uint8Array(16);
 * const end = writeUintBytes(buf, 0, 4096); // buf holds "4096", end === 4
 * parseIdBytes(buf, 0, end); // 4096
 * ```
 */

/**
 * Parses an unsigned decimal id in `bytes[from, to)`: 1..10 digits, value
 * 0..2^31-1. Returns -1 when malformed.
 */
export function parseIdBytes(bytes: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 0x7fffffff ? v : -1;
}

/**
 * Parses `-?digits(.digits)?` in `bytes[from, to)` exactly as `Number()`
 * would: the mantissa is an exact integer and 10^d is exact, so one IEEE
 * division rounds correctly. At most 15 digits. NaN when malformed.
 */
export function parseDecimalBytes(bytes: Uint8Array, from: number, to: number): number {
  let p = from, neg = false;
  if (bytes[p] === 45) {
    neg = true;
    p++;
  }
  let mant = 0, scale = 1, digits = 0, dot = false;
  for (; p < to; p++) {
    const c = bytes[p];
    if (c === 46 && !dot) {
      dot = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || ++digits > 15) return NaN;
    mant = mant * 10 + d;
    if (dot) scale *= 10;
  }
  if (digits === 0) return NaN;
  return neg ? -mant / scale : mant / scale;
}

/**
 * Prints a non-negative integer below 2^53 in decimal into `buf` at `at`
 * (the caller made room: at most 16 bytes) and returns the index after it.
 */
export function writeUintBytes(buf: Uint8Array, at: number, v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  const end = at + digits;
  let p = end;
  // Int32 division is several times faster than Math.floor on doubles; most ids fit.
  if (v < 0x80000000) {
    let x = v | 0;
    do {
      const q = (x / 10) | 0;
      buf[--p] = 48 + x - q * 10;
      x = q;
    } while (x > 0);
  } else {
    let x = v;
    do {
      const q = Math.floor(x / 10);
      // Digit first: 48 + x is inexact within 48 of 2^53.
      buf[--p] = 48 + (x - q * 10);
      x = q;
    } while (x > 0);
  }
  return end;
}
