/**
 * The byte-level line scanner of the recommendation files the import reads
 * (`user_based_recommendations.csv`, `serving_recommendations.csv`): a
 * UTF-8 BOM, LF or CRLF and a missing final newline are accepted, the first
 * line must be the file's header, a blank line is an error except at the
 * very end, and every other line must hold exactly `fields` comma-separated
 * fields, whose byte ranges are handed to the caller. No string per line:
 * these files hold ~20M lines on ML-32M. O(bytes).
 *
 * @example
 * ```ts
 * import { scanCsvRecords } from "./csv_records.ts";
 * const bytes = new TextEncoder().encode("a,b\n1,2\n");
 * scanCsvRecords(bytes, "x.csv", "a,b", 2, (r) => console.log(r.line, r.starts[1], r.ends[1]));
 * // 2 6 7
 * ```
 */
import { FileError } from "../file_error.ts";

/** A malformed recommendation file: `file:line: reason`. */
export class RecommendationsFormatError extends FileError {
  declare readonly line: number;
  constructor(file: string, line: number, reason: string) {
    super(file, reason, line);
  }
}

/** The current record: field f is `bytes[starts[f], ends[f])`; `line` is 1-based. Reused per line. */
export interface CsvRecord {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  line: number;
}

const NL = 10, CR = 13, COMMA = 44;

/** Upper bound on the records of `bytes` (its line count + 1), to size columns once. */
export function csvRecordCapacity(bytes: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NL) lines++;
  return lines + 1;
}

/**
 * Calls `onRecord` for each data line of `bytes` (module doc); throws
 * RecommendationsFormatError for a wrong header, a blank line, a wrong field
 * count, or an empty file. `onRecord` throws its own errors through
 * {@link RecommendationsFormatError} with `record.line`.
 */
export function scanCsvRecords(
  bytes: Uint8Array,
  file: string,
  header: string,
  fields: number,
  onRecord: (record: CsvRecord) => void,
): void {
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const record: CsvRecord = {
    starts: new Int32Array(fields),
    ends: new Int32Array(fields),
    line: 0,
  };
  const { starts, ends } = record;
  let lineNo = 0;
  const fail = (reason: string) => new RecommendationsFormatError(file, lineNo, reason);
  while (p < bytes.length) {
    lineNo++;
    let nl = bytes.indexOf(NL, p);
    if (nl < 0) nl = bytes.length;
    const end = nl > p && bytes[nl - 1] === CR ? nl - 1 : nl;
    if (lineNo === 1) {
      const head = new TextDecoder().decode(bytes.subarray(p, end));
      if (head !== header) throw fail(`expected header '${header}', got '${head}'`);
    } else if (end === p) {
      if (nl < bytes.length - 1) throw fail("blank line");
    } else {
      let f = 0, s = p;
      for (let i = p; i <= end; i++) {
        if (i === end || bytes[i] === COMMA) {
          if (f === fields) throw fail(`expected ${fields} fields`);
          starts[f] = s;
          ends[f++] = i;
          s = i + 1;
        }
      }
      if (f !== fields) throw fail(`expected ${fields} fields`);
      record.line = lineNo;
      onRecord(record);
    }
    p = nl + 1;
  }
  if (lineNo === 0) throw new RecommendationsFormatError(file, 1, "empty file (no header)");
}
