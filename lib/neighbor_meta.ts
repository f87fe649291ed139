/**
 * What a neighbor file is: a sidecar `<file>.meta.json` written beside every
 * neighbor file by the driver that wrote it (the in-process engine and the
 * MR runners alike), so the neighbor file itself stays byte-identical
 * between the engines. It records the mode (user or item rows), the
 * options that shaped the lists and the training file's size and mtime; an
 * MR run adds its Hadoop job counters (`counters`), the one field the
 * engines do not share.
 *
 * It is a sealed file's sidecar (lib/file_seal.ts): `written` holds the
 * neighbor file's byte size and line count. `eval`, `predict` and `import`
 * read through {@link readVerifiedNeighborFile}: a file of the other mode is
 * refused ({@link NeighborModeError}); one computed from a training file of
 * another size, cut, or with other lines than written is refused
 * ({@link SealedFileError}), each in one line naming the file. A neighbor
 * file without a sidecar (older runs, files made elsewhere) is read as
 * before, unchecked.
 */
import {
  checkSealedBytes,
  checkSealedRows,
  checkSidecarInput,
  type FileSeal,
  type FileStamp,
  fileStamp,
  readSidecar,
  sidecarPath,
  writeSidecar,
} from "./file_seal.ts";
import { type NeighborLists, parseNeighborFile, readNeighborBytes } from "./neighbor_file.ts";
import type { Mode } from "./mode.ts";
import { neighborFileName } from "./run_dir.ts";

export interface NeighborFileMeta {
  /** Rows are users (`user_topk_neighbors.txt`) or items. */
  mode: Mode;
  similarity: string;
  shrink: number;
  k: number;
  minCommon: number;
  maxRaters: number;
  /** The ratings file the lists were computed from. */
  train: FileStamp;
  /** What was written (lib/file_seal.ts): bytes and lines; absent in sidecars before sealing. */
  written?: FileSeal;
  /**
   * Hadoop's job counters of the run that wrote the file, when MR1–MR4 did
   * (`recsys mr`, `pipeline --engine mr|hadoop|hadoop-yarn`); the in-process
   * engine writes none. Every other field is the same whichever engine wrote
   * the file, and so are the neighbor file's bytes.
   */
  counters?: MrCounters;
}

/** The counters of an MR run: per job (`mr1`…`mr4`), Hadoop's counter names and values. */
export interface MrCounters {
  /** `local` (the imitation, mr/local_runner.ts), `hadoop` or `hadoop-yarn`. */
  runner: string;
  jobs: Record<string, Record<string, number>>;
}

/** A neighbor file given where the other mode's file is needed. */
export class NeighborModeError extends Error {
  readonly file: string;
  readonly expected: Mode;
  readonly found: Mode;
  constructor(file: string, expected: Mode, found: Mode) {
    super(
      `${file}: a ${found}–${found} neighbor file (${file}.meta.json says mode ${found}), ` +
        `but --model ${expected} needs ${expected}–${expected} neighbors ` +
        `(${neighborFileName(expected)})`,
    );
    this.name = "NeighborModeError";
    this.file = file;
    this.expected = expected;
    this.found = found;
  }
}

/** The sidecar's path. */
export function neighborMetaPath(file: string): string {
  return sidecarPath(file);
}

/**
 * Writes the sidecar of `file`, computed from `train` with `options`; `seal`
 * is what was written (bytes, lines).
 */
export async function writeNeighborMeta(
  file: string,
  train: string,
  options: Omit<NeighborFileMeta, "train" | "written" | "counters">,
  seal: FileSeal,
  counters?: MrCounters,
): Promise<void> {
  const meta: Omit<NeighborFileMeta, "written"> = {
    mode: options.mode,
    similarity: options.similarity,
    shrink: options.shrink,
    k: options.k,
    minCommon: options.minCommon,
    maxRaters: options.maxRaters,
    train: await fileStamp(train),
    ...(counters ? { counters } : {}),
  };
  await writeSidecar(file, meta, seal);
}

/** The sidecar of `file`, or null when there is none. */
export function readNeighborMeta(file: string): Promise<NeighborFileMeta | null> {
  return readSidecar<NeighborFileMeta>(file);
}

/**
 * Reads the neighbor file `file` after checking it against its sidecar
 * (lib/file_seal.ts): it must hold `mode` neighbors
 * ({@link NeighborModeError}), have been computed from the training file at
 * `train` (same size), and be whole: the size and line count written
 * ({@link SealedFileError}). A file without a sidecar is read unchecked.
 */
export async function readVerifiedNeighborFile(
  file: string,
  mode: Mode,
  train: string,
): Promise<NeighborLists> {
  const meta = await readNeighborMeta(file);
  if (meta !== null) {
    if (meta.mode !== mode) throw new NeighborModeError(file, mode, meta.mode);
    await checkSidecarInput(file, "train", meta.train, train);
  }
  const bytes = await readNeighborBytes(file);
  checkSealedBytes(file, bytes, meta?.written);
  const lists = parseNeighborFile(bytes, file);
  checkSealedRows(file, lists.ids.length, meta?.written);
  return lists;
}
