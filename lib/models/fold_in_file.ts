/**
 * The fold-in state file, `fold_in_state.bin`, and its sidecar
 * `fold_in_state.json` (written by the pipeline's serve step, read by
 * `import`, which stores the same bytes in the store, and by `web` from
 * there). Little-endian, every section aligned to 8 bytes so a reader maps
 * typed arrays onto the bytes without copying (also onto a
 * SharedArrayBuffer that every serving thread reads):
 *
 * | offset | bytes | what |
 * |---|---|---|
 * | 0 | 8 | magic `RSFOLDIN` |
 * | 8 | 4 | format version, u32 (1) |
 * | 12 | 4 | H, the header's length in bytes, u32 |
 * | 16 | H | header: UTF-8 JSON (below), zero-padded to a multiple of 8 |
 * | … | … | the sections in the header's order, each zero-padded to a multiple of 8 |
 *
 * Header: `{totalBytes, ranking, lowRatingWeight, scaleMin, scaleMax, mu,
 * regUser, knnK, bmfSamples, bmfFactors, sections: [{name, type, length}]}`,
 * `type` one of `i32`, `f32`, `f64`, `length` in elements. The sections are
 * the typed arrays of {@link FoldInState} by field name, in
 * {@link SECTIONS}' order. `totalBytes` is the file's length: a cut file
 * (or a cut copy in the store) is refused on read, as are sections whose
 * lengths disagree (items, items + 1, M², samples · items · k, …).
 *
 * Sidecar (2-space JSON): `{format: "recsys-fold-in", version, bytes,
 * items, easeColumns, knnEntries, bmfSamples, bmfFactors, rankingModel,
 * ratingModel}`; {@link readFoldInStateFile} refuses a file whose size is
 * not `bytes`.
 */
import { AtomicFileWriter, writeFileAtomic } from "../atomic_file.ts";
import type { FoldInState } from "./fold_in_state.ts";

export const FOLD_IN_MAGIC = "RSFOLDIN";
export const FOLD_IN_VERSION = 1;

type SectionType = "i32" | "f32" | "f64";
type ArrayField = {
  [K in keyof FoldInState]: FoldInState[K] extends Int32Array | Float32Array | Float64Array ? K
    : never;
}[keyof FoldInState];

/** The sections in file order, with their element type. */
export const SECTIONS: readonly (readonly [ArrayField, SectionType])[] = [
  ["itemIds", "i32"],
  ["itemCounts", "i32"],
  ["easeCols", "i32"],
  ["easeB", "f32"],
  ["itemBias", "f64"],
  ["knnOffsets", "i32"],
  ["knnNeighbors", "i32"],
  ["knnSims", "f32"],
  ["bmfW0", "f64"],
  ["bmfAlpha", "f64"],
  ["bmfUserPriors", "f64"],
  ["bmfItemBias", "f32"],
  ["bmfItemFactors", "f32"],
  ["ratingWeights", "f64"],
];

const WIDTH: Record<SectionType, number> = { i32: 4, f32: 4, f64: 8 };

/** A state file (or the store's copy) that is cut, not ours, or inconsistent. */
export class FoldInStateError extends Error {
  /** The file, or `store` for the store's copy. */
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "FoldInStateError";
    this.source = source;
  }
}

interface Header {
  totalBytes: number;
  ranking: FoldInState["ranking"];
  lowRatingWeight: number;
  scaleMin: number;
  scaleMax: number;
  mu: number;
  regUser: number;
  knnK: number;
  bmfSamples: number;
  bmfFactors: number;
  sections: { name: string; type: SectionType; length: number }[];
}

const pad8 = (n: number) => (n + 7) & ~7;

/** The header bytes of `state` (with `totalBytes` filled in) and the total length. */
function headerOf(state: FoldInState): { bytes: Uint8Array; total: number } {
  const sections = SECTIONS.map(([name, type]) => ({ name, type, length: state[name].length }));
  const body = sections.reduce((sum, s) => sum + pad8(s.length * WIDTH[s.type]), 0);
  const header: Header = {
    totalBytes: 0,
    ranking: state.ranking,
    lowRatingWeight: state.lowRatingWeight,
    scaleMin: state.scaleMin,
    scaleMax: state.scaleMax,
    mu: state.mu,
    regUser: state.regUser,
    knnK: state.knnK,
    bmfSamples: state.bmfSamples,
    bmfFactors: state.bmfFactors,
    sections,
  };
  // totalBytes's own digits change the header's length: fix the point.
  let total = 0;
  for (let round = 0; round < 4; round++) {
    header.totalBytes = total;
    const h = new TextEncoder().encode(JSON.stringify(header)).length;
    const next = 16 + pad8(h) + body;
    if (next === total) break;
    total = next;
  }
  header.totalBytes = total;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(16 + pad8(json.length));
  bytes.set(new TextEncoder().encode(FOLD_IN_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, FOLD_IN_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  if (bytes.length + body !== total) throw new Error("fold-in header: length did not settle");
  return { bytes, total };
}

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new Error("fold-in state files are little-endian; this machine is not");
  }
}

/** The sections' bytes (views on the arrays), each followed by its padding. */
function* sectionBytes(state: FoldInState): Generator<Uint8Array> {
  const zeros = new Uint8Array(8);
  for (const [name] of SECTIONS) {
    const a = state[name];
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    yield bytes;
    const padding = pad8(bytes.length) - bytes.length;
    if (padding > 0) yield zeros.subarray(0, padding);
  }
}

/** `state` in the file format, as one array (tests, small states). */
export function encodeFoldInState(state: FoldInState): Uint8Array {
  assertLittleEndian();
  const { bytes: head, total } = headerOf(state);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let at = head.length;
  for (const part of sectionBytes(state)) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** What the sidecar records besides the byte count. */
export interface FoldInSidecar {
  format: "recsys-fold-in";
  version: number;
  bytes: number;
  items: number;
  easeColumns: number;
  knnEntries: number;
  bmfSamples: number;
  bmfFactors: number;
  rankingModel: string;
  ratingModel: string;
}

/** The sidecar's path beside a state file: `.bin` → `.json`. */
export function sidecarPath(path: string): string {
  return path.replace(/\.bin$/, "") + ".json";
}

/**
 * Writes `state` to `path` (streamed, no second copy in memory) and its
 * sidecar, both atomically; returns the sidecar.
 */
export async function writeFoldInStateFile(
  path: string,
  state: FoldInState,
  models: { rankingModel: string; ratingModel: string },
): Promise<FoldInSidecar> {
  assertLittleEndian();
  const { bytes: head, total } = headerOf(state);
  const w = await AtomicFileWriter.open(path);
  try {
    await w.write(head);
    for (const part of sectionBytes(state)) await w.write(part);
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
  const sidecar: FoldInSidecar = {
    format: "recsys-fold-in",
    version: FOLD_IN_VERSION,
    bytes: total,
    items: state.itemIds.length,
    easeColumns: state.easeCols.length,
    knnEntries: state.knnNeighbors.length,
    bmfSamples: state.bmfSamples,
    bmfFactors: state.bmfFactors,
    ...models,
  };
  await writeFileAtomic(sidecarPath(path), JSON.stringify(sidecar, null, 2) + "\n");
  return sidecar;
}

/**
 * Reads a state file after checking it against its sidecar (size) and its
 * own header (length, sections): the bytes, in a SharedArrayBuffer when
 * `shared`. Throws {@link FoldInStateError}.
 */
export async function readFoldInStateFile(
  path: string,
  options: { shared?: boolean } = {},
): Promise<{ bytes: Uint8Array; sidecar: FoldInSidecar }> {
  let sidecar: FoldInSidecar;
  try {
    sidecar = JSON.parse(await Deno.readTextFile(sidecarPath(path)));
  } catch (err) {
    throw new FoldInStateError(
      path,
      `its sidecar ${sidecarPath(path)} cannot be read (${
        err instanceof Error ? err.message : err
      }): run the serve step again`,
    );
  }
  if (sidecar?.format !== "recsys-fold-in" || !Number.isSafeInteger(sidecar.bytes)) {
    throw new FoldInStateError(sidecarPath(path), "not a fold-in sidecar");
  }
  const size = (await Deno.stat(path)).size;
  if (size !== sidecar.bytes) {
    throw new FoldInStateError(
      path,
      `${size} bytes, but its sidecar records ${sidecar.bytes}: the file is cut or ` +
        "was replaced; run the serve step again",
    );
  }
  const file = await Deno.open(path);
  try {
    const buffer = options.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    let at = 0;
    while (at < size) {
      const n = await file.read(bytes.subarray(at));
      if (n === null) break;
      at += n;
    }
    if (at !== size) throw new FoldInStateError(path, `read ${at} of ${size} bytes`);
    decodeFoldInState(bytes, path);
    return { bytes, sidecar };
  } finally {
    file.close();
  }
}

/**
 * The state in `bytes` (file format above), its arrays views on `bytes`
 * (shared when `bytes` is on a SharedArrayBuffer) when aligned, copies
 * otherwise. `source` names the bytes in errors. Throws
 * {@link FoldInStateError} on a cut or inconsistent state.
 */
export function decodeFoldInState(bytes: Uint8Array, source: string): FoldInState {
  assertLittleEndian();
  const fail = (message: string): never => {
    throw new FoldInStateError(source, message);
  };
  if (bytes.length < 16) fail(`${bytes.length} bytes: too short for a fold-in state`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== FOLD_IN_MAGIC) {
    fail("not a fold-in state (no RSFOLDIN magic)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FOLD_IN_VERSION) fail(`format version ${version}, expected ${FOLD_IN_VERSION}`);
  const h = view.getUint32(12, true);
  if (16 + h > bytes.length) fail(`header of ${h} bytes runs past the end: the state is cut`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + h)));
  } catch {
    return fail("its header is not JSON");
  }
  if (header.totalBytes !== bytes.length) {
    fail(
      `${bytes.length} bytes, but its header records ${header.totalBytes}: the state is cut`,
    );
  }
  const arrays: Partial<Record<ArrayField, Int32Array | Float32Array | Float64Array>> = {};
  let at = 16 + pad8(h);
  const aligned = (bytes.byteOffset & 7) === 0;
  for (let s = 0; s < SECTIONS.length; s++) {
    const [name, type] = SECTIONS[s];
    const sec = header.sections?.[s];
    if (!sec || sec.name !== name || sec.type !== type || !Number.isSafeInteger(sec.length)) {
      fail(`section ${s} should be ${name} (${type})`);
    }
    const len = sec.length * WIDTH[type];
    if (at + len > bytes.length) fail(`section ${name} runs past the end: the state is cut`);
    const src = aligned ? bytes : bytes.slice(at, at + len);
    const offset = aligned ? bytes.byteOffset + at : 0;
    arrays[name] = type === "i32"
      ? new Int32Array(src.buffer, offset, sec.length)
      : type === "f32"
      ? new Float32Array(src.buffer, offset, sec.length)
      : new Float64Array(src.buffer, offset, sec.length);
    at += pad8(len);
  }
  const st = { ...header, ...arrays } as unknown as FoldInState & { sections?: unknown };
  delete st.sections;
  delete (st as { totalBytes?: number }).totalBytes;
  const n = st.itemIds.length, M = st.easeCols.length, S = st.bmfSamples, k = st.bmfFactors;
  const expect = (what: string, got: number, want: number) => {
    if (got !== want) fail(`${what}: ${got} values, expected ${want}`);
  };
  expect("itemCounts", st.itemCounts.length, n);
  expect("easeB", st.easeB.length, M * M);
  expect("itemBias", st.itemBias.length, n);
  expect("knnOffsets", st.knnOffsets.length, n + 1);
  expect("knnNeighbors", st.knnNeighbors.length, st.knnOffsets[n]);
  expect("knnSims", st.knnSims.length, st.knnOffsets[n]);
  expect("bmfW0", st.bmfW0.length, S);
  expect("bmfAlpha", st.bmfAlpha.length, S);
  expect("bmfUserPriors", st.bmfUserPriors.length, S * 2 * (k + 1));
  expect("bmfItemBias", st.bmfItemBias.length, S * n);
  expect("bmfItemFactors", st.bmfItemFactors.length, S * n * k);
  expect("ratingWeights", st.ratingWeights.length, 3);
  if (st.ranking !== "ease" && st.ranking !== "popularity") fail(`ranking ${st.ranking}`);
  return st;
}
