/**
 * Number parsing straight from bytes, for files with millions of numeric
 * fields (neighbor files, recommendations) where a string per field would
 * dominate the cost.
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
