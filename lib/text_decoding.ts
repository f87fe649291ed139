/**
 * Text files as GroupLens ships them: UTF-8 when the bytes are valid UTF-8,
 * else Latin-1 (windows-1252, as the WHATWG `latin1` label decodes it), so a
 * movie list of either encoding reads right without a flag (ml-100k's
 * `u.item` and ml-1m's `movies.dat` are Latin-1, the later releases UTF-8,
 * and a `movies.csv` re-saved by a spreadsheet may be either).
 *
 * A file that needed the fallback is named in one warning with the 1-based
 * line of its first byte that is not UTF-8, so a user can see which file was
 * guessed and check a title there. Valid UTF-8 costs one fatal decode; the
 * fallback adds one validating pass to find that line. Time O(bytes).
 *
 * @example
 * ```ts
 * import { decodeText } from "./text_decoding.ts";
 * const d = decodeText(new Uint8Array([0x41, 0x0a, 0x41, 0x6d, 0xe9]));
 * console.log(d.text, d.encoding, d.firstLatin1Line); // "A\nAmé" "latin-1" 2
 * ```
 */

/** How a file was decoded. */
export type TextEncodingName = "utf-8" | "latin-1";

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** The 1-based line of the first byte that is not UTF-8; null for UTF-8. */
  firstLatin1Line: number | null;
}

/** The offset of the first byte of `bytes` that does not start or continue valid UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes and the range the second byte must be in (no overlongs,
    // no surrogates, nothing above U+10FFFF), as the WHATWG decoder checks them.
    let n = 0, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n >= bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return bytes.length;
}

/** Decodes `bytes` as UTF-8 when valid, else as Latin-1; see the module doc. */
export function decodeText(bytes: Uint8Array): DecodedText {
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true }).decode(bytes),
      encoding: "utf-8",
      firstLatin1Line: null,
    };
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    return {
      text: new TextDecoder("latin1").decode(bytes),
      encoding: "latin-1",
      firstLatin1Line: line,
    };
  }
}

/** The one warning for a file that was read as Latin-1. */
export function latin1Warning(file: string, line: number): string {
  return `warning: ${file}:${line}: not valid UTF-8 (first byte at this line): read as Latin-1`;
}

/**
 * Reads a text file with {@link decodeText}; `warn` receives the one warning
 * when it was not UTF-8.
 */
export async function readTextFileAnyEncoding(
  path: string,
  warn: (message: string) => void = console.warn,
): Promise<DecodedText> {
  const decoded = decodeText(await Deno.readFile(path));
  if (decoded.firstLatin1Line !== null) warn(latin1Warning(path, decoded.firstLatin1Line));
  return decoded;
}
