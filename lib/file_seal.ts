/**
 * Sealed outputs: files the program writes and later reads back (neighbor
 * files, recommendation files, the serving list; the same mechanism serves
 * any later file type) carry a sidecar `<file>.meta.json` written after the
 * file itself, holding the parameters that shaped it and a seal
 * `written: {bytes, rows}` — the exact byte size and the row count the
 * writer produced. A reader verifies before using anything:
 *
 * 1. the sidecar is JSON (else the file is refused: a cut sidecar says
 *    nothing about its file);
 * 2. the file's size equals `written.bytes` and, when it is not empty, it
 *    ends with a newline (a whole last line);
 * 3. the parsed row count equals `written.rows`;
 * 4. each parameter the reader needs matches ({@link checkSidecarParams}:
 *    the mode of a neighbor file, the training file it was computed from…).
 *
 * Every failure is a {@link SealedFileError}: one line naming the file and
 * what differs (`found` against `expected`). A file without a sidecar was
 * made elsewhere (or by a version before sidecars) and is read unchecked,
 * as before. Cost: one `stat` and one small JSON read per file; the row
 * count is the parser's own.
 *
 * @example
 * ```ts
 * import { readSealedFile, writeSidecar } from "./file_seal.ts";
 * await Deno.writeTextFile("x.txt", "a\nb\n");
 * await writeSidecar("x.txt", { kind: "letters" }, { bytes: 4, rows: 2 });
 * const { value } = await readSealedFile("x.txt", (bytes) => {
 *   const lines = new TextDecoder().decode(bytes).split("\n").slice(0, -1);
 *   return { value: lines, rows: lines.length };
 * }, { expected: { kind: "letters" } });
 * console.log(value); // ["a", "b"]
 * ```
 */
import { writeFileAtomic } from "./atomic_file.ts";
import { FileError } from "./file_error.ts";

/** What the writer produced: the file's exact size and its rows (as its reader counts them). */
export interface FileSeal {
  bytes: number;
  rows: number;
}

/** A sidecar: the writer's parameters and, since sealing, the seal. */
export type Sidecar<P extends object = Record<string, unknown>> = P & { written?: FileSeal };

/** Which check a sealed file failed. */
export type SealCheck = "sidecar" | "bytes" | "last line" | "rows" | "parameter";

/** A sealed file that is cut, changed since it was written, or written for other parameters. */
export class SealedFileError extends FileError {
  readonly check: SealCheck;
  /** What the sidecar (or the reader's flags) expect, and what was found, as printed. */
  readonly expected: string;
  readonly found: string;
  constructor(file: string, check: SealCheck, expected: string, found: string, reason: string) {
    super(file, reason);
    this.check = check;
    this.expected = expected;
    this.found = found;
  }
}

/** The sidecar's path. */
export function sidecarPath(file: string): string {
  return `${file}.meta.json`;
}

/** The identity of an input file as sidecars record it (size compared, mtime informative). */
export interface FileStamp {
  path: string;
  size: number;
  mtime: string | null;
}

/** {@link FileStamp} of `path` now. */
export async function fileStamp(path: string): Promise<FileStamp> {
  const st = await Deno.stat(path);
  return { path, size: st.size, mtime: st.mtime?.toISOString() ?? null };
}

/**
 * Writes `file`'s sidecar (2-space JSON, atomically): `params` then
 * `written`. Call it after `file` is complete and in place.
 */
export async function writeSidecar(file: string, params: object, seal: FileSeal): Promise<void> {
  const meta = { ...params, written: { bytes: seal.bytes, rows: seal.rows } };
  await writeFileAtomic(sidecarPath(file), JSON.stringify(meta, null, 2) + "\n");
}

/** `file`'s sidecar, or null when there is none; one that is not a JSON object is refused. */
export async function readSidecar<P extends object>(file: string): Promise<Sidecar<P> | null> {
  const path = sidecarPath(file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    meta = null;
  }
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    throw new SealedFileError(
      file,
      "sidecar",
      "a JSON object",
      `${text.length} bytes`,
      `its sidecar ${path} is not a JSON object (cut or edited): the file cannot be trusted`,
    );
  }
  return meta as Sidecar<P>;
}

/** Checks a file's size against the seal. */
function checkSealedSize(file: string, size: number, seal: FileSeal): void {
  if (size === seal.bytes) return;
  throw new SealedFileError(
    file,
    "bytes",
    String(seal.bytes),
    String(size),
    `${size} bytes, but ${sidecarPath(file)} says ${seal.bytes} were written ` +
      `(${size < seal.bytes ? "cut" : "changed"} since)`,
  );
}

/** Checks size and whole last line of `bytes` against the seal (none: nothing to check). */
export function checkSealedBytes(
  file: string,
  bytes: Uint8Array,
  seal: FileSeal | undefined,
): void {
  if (!seal) return;
  checkSealedSize(file, bytes.length, seal);
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) {
    throw new SealedFileError(
      file,
      "last line",
      "a final newline",
      "none",
      "the last line is cut (no final newline)",
    );
  }
}

/** Checks the parsed row count against the seal. */
export function checkSealedRows(file: string, rows: number, seal: FileSeal | undefined): void {
  if (!seal || rows === seal.rows) return;
  throw new SealedFileError(
    file,
    "rows",
    String(seal.rows),
    String(rows),
    `${rows} rows, but ${sidecarPath(file)} says ${seal.rows} were written`,
  );
}

/** A parameter value as sidecars hold them. */
export type SidecarValue = string | number | boolean | null;

/**
 * Checks that the sidecar's `expected` parameters hold the given values:
 * `label(key)` names what asked for it (`--k`, `the run's ratings_train.csv`).
 */
export function checkSidecarParams(
  file: string,
  sidecar: Record<string, unknown>,
  expected: Record<string, SidecarValue>,
  label: (key: string) => string = (key) => key,
): void {
  for (const [key, want] of Object.entries(expected)) {
    const got = sidecar[key] as SidecarValue | undefined;
    if (got === want) continue;
    throw new SealedFileError(
      file,
      "parameter",
      String(want),
      String(got),
      `written with ${key} ${JSON.stringify(got ?? null)} (${sidecarPath(file)}), ` +
        `but ${label(key)} is ${JSON.stringify(want)}`,
    );
  }
}

/**
 * Checks that the input the sidecar recorded under `key` (a {@link FileStamp})
 * is the file at `path` now, by size: a file computed from other ratings is
 * refused. A sidecar without the stamp passes.
 */
export async function checkSidecarInput(
  file: string,
  key: string,
  recorded: FileStamp | undefined,
  path: string,
): Promise<void> {
  if (!recorded) return;
  const size = (await Deno.stat(path)).size;
  if (size === recorded.size) return;
  throw new SealedFileError(
    file,
    "parameter",
    String(size),
    String(recorded.size),
    `computed from ${key} ${recorded.path} (${recorded.size} bytes), but ${path} is ` +
      `${size} bytes: recompute it from that file`,
  );
}

/** What {@link readSealedFile} checks beyond the seal. */
export interface SealedReadOptions {
  /** Parameters the sidecar must hold with these values. @default {} */
  expected?: Record<string, SidecarValue>;
  /** Names what asked for a parameter in messages (`--k`). @default the key */
  label?: (key: string) => string;
  /**
   * Inputs the file was computed from, by sidecar key (a {@link FileStamp}
   * there), and where they are now: each must have the recorded size.
   * @default {}
   */
  inputs?: Record<string, string>;
}

/**
 * The checks of {@link readSealedFile} that need no read of `file`: its
 * sidecar's parameters and inputs, and its size. Returns the sidecar (null
 * without one). A caller that reads several sealed files (the import) runs
 * this on all of them before it starts any work.
 */
export async function verifySidecar<P extends object = Record<string, unknown>>(
  file: string,
  options: SealedReadOptions = {},
): Promise<Sidecar<P> | null> {
  const sidecar = await readSidecar<P>(file);
  if (sidecar === null) return null;
  const meta = sidecar as Record<string, unknown>;
  checkSidecarParams(file, meta, options.expected ?? {}, options.label);
  for (const [key, path] of Object.entries(options.inputs ?? {})) {
    await checkSidecarInput(file, key, meta[key] as FileStamp | undefined, path);
  }
  if (sidecar.written) checkSealedSize(file, (await Deno.stat(file)).size, sidecar.written);
  return sidecar;
}

/**
 * Reads `file`, verifies it against its sidecar (module doc) and returns what
 * `parse` made of its bytes with the sidecar (null without one). `parse`
 * returns its value and the rows it read; parameters and inputs are checked
 * before the file is read.
 */
export async function readSealedFile<T, P extends object = Record<string, unknown>>(
  file: string,
  parse: (bytes: Uint8Array) => { value: T; rows: number },
  options: SealedReadOptions = {},
): Promise<{ value: T; sidecar: Sidecar<P> | null }> {
  const sidecar = await verifySidecar<P>(file, options);
  const bytes = await Deno.readFile(file);
  checkSealedBytes(file, bytes, sidecar?.written);
  const { value, rows } = parse(bytes);
  checkSealedRows(file, rows, sidecar?.written);
  return { value, sidecar };
}

/**
 * Writes `file`'s sidecar with `params`, a {@link FileStamp} of each input
 * under its key, and the seal: the one call a writer makes after its file is
 * in place.
 */
export async function sealFile(
  file: string,
  params: Record<string, SidecarValue>,
  inputs: Record<string, string>,
  seal: FileSeal,
): Promise<void> {
  const stamps: Record<string, FileStamp> = {};
  for (const [key, path] of Object.entries(inputs)) stamps[key] = await fileStamp(path);
  await writeSidecar(file, { ...params, ...stamps }, seal);
}
