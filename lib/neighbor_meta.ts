/**
 * What a neighbor file is: a sidecar `<file>.meta.json` written beside every
 * neighbor file by the driver that wrote it (the in-process engine and the
 * MR runners alike), so the neighbor file itself stays byte-identical
 * between the engines. It records the mode (user or item rows), the
 * options that shaped the lists and the training file's size and mtime; an
 * MR run adds its Hadoop job counters (`counters`), the one field the
 * engines do not share.
 *
 * `eval` and `predict` read it before loading anything: a file of the other
 * mode is refused ({@link NeighborModeError}), a training file of another
 * size gets a warning (the lists may be stale). A neighbor file without a
 * sidecar (older runs, files made elsewhere) is read as before, unchecked.
 */
import { writeFileAtomic } from "./atomic_file.ts";
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
  train: { path: string; size: number; mtime: string | null };
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
  return `${file}.meta.json`;
}

/** Writes the sidecar of `file`, computed from `train` with `options`. */
export async function writeNeighborMeta(
  file: string,
  train: string,
  options: Omit<NeighborFileMeta, "train" | "counters">,
  counters?: MrCounters,
): Promise<void> {
  const st = await Deno.stat(train);
  const meta: NeighborFileMeta = {
    mode: options.mode,
    similarity: options.similarity,
    shrink: options.shrink,
    k: options.k,
    minCommon: options.minCommon,
    maxRaters: options.maxRaters,
    train: { path: train, size: st.size, mtime: st.mtime?.toISOString() ?? null },
    ...(counters ? { counters } : {}),
  };
  await writeFileAtomic(neighborMetaPath(file), JSON.stringify(meta, null, 2) + "\n");
}

/** The sidecar of `file`, or null when there is none. */
export async function readNeighborMeta(file: string): Promise<NeighborFileMeta | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(neighborMetaPath(file));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return JSON.parse(text) as NeighborFileMeta;
}

/**
 * Checks that `file` holds `mode` neighbors (throws {@link NeighborModeError})
 * and returns a warning when it was computed from a training file of another
 * size than `train`, else null.
 */
export async function checkNeighborFile(
  file: string,
  mode: Mode,
  train: string,
): Promise<string | null> {
  const meta = await readNeighborMeta(file);
  if (meta === null) return null;
  if (meta.mode !== mode) throw new NeighborModeError(file, mode, meta.mode);
  const size = (await Deno.stat(train)).size;
  if (size === meta.train.size) return null;
  return `warning: ${file} was computed from ${meta.train.path} (${meta.train.size} bytes), ` +
    `not from ${train} (${size} bytes): its neighbors may be stale`;
}
