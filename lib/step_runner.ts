/**
 * Incremental steps: run a sequence of steps, skipping each one whose inputs,
 * options and outputs are as recorded when it last succeeded.
 *
 * The manifest (`manifest.json`, written atomically after every finished
 * step, so an interrupted run keeps what it finished) records per step:
 * - `inputs` and `outputs`: each file's size and mtime (a fingerprint cheap
 *   enough for the 877 MB ratings.csv; content hashing would cost seconds);
 * - `options`: the JSON of every option that changes the step's output, the
 *   full configuration (a model's every option, defaults included; options
 *   that only change speed, like worker counts, stay out);
 * - `code`: the modules the step runs and a hash of each
 *   (lib/code_fingerprint.ts), so editing a default or a formula in a module
 *   reruns the steps that reach it and no other;
 * - `seconds` and `result`: the step's time and its JSON result, so a
 *   skipped step still reports (e.g. an evaluation's metrics).
 *
 * A step is redone when it has no record, an option or its code differs, an input's or
 * output's fingerprint differs (or an output is gone), or an input is an
 * output of a step redone in this run: so a redone step redoes everything
 * downstream even when a coarse file-system clock would hide the change.
 */
import { writeFileAtomic } from "./atomic_file.ts";
import { type CodeFingerprint, type CodeRoots, fingerprintCode } from "./code_fingerprint.ts";

/** One unit of work: files in, files out, options, and the work itself. */
export interface Step<R = unknown> {
  /** Unique within a manifest, e.g. `neighbors-user`. */
  name: string;
  /** Files the step reads. A missing input is the step's own error. */
  inputs: readonly string[];
  /** Files the step writes (all of them must exist afterwards). */
  outputs: readonly string[];
  /** Options that change the output; must survive a JSON round trip. */
  options: Record<string, unknown>;
  /** The modules the step runs (fingerprinted); absent: its code is not checked. */
  code?: CodeRoots;
  /** Does the work; the value is kept in the manifest (JSON). */
  run(): Promise<R>;
}

/** A file's fingerprint. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/** What the manifest keeps for one step. */
export interface StepRecord {
  inputs: Record<string, FileStamp>;
  outputs: Record<string, FileStamp>;
  options: Record<string, unknown>;
  /** The fingerprint of the step's code when it ran (absent: not checked). */
  code?: CodeFingerprint;
  seconds: number;
  finishedAt: string;
  result: unknown;
}

export interface Manifest {
  version: 1;
  steps: Record<string, StepRecord>;
}

/** What happened to one step in this run. */
export interface StepReport {
  name: string;
  /** `ran` this time, or `skipped` as up to date. */
  status: "ran" | "skipped";
  /** Why it ran ("first run", "input changed: …", …); empty when skipped. */
  reason: string;
  /** This run's seconds when ran; the recorded seconds when skipped. */
  seconds: number;
  result: unknown;
}

export interface RunStepsOptions {
  /** Called before a step runs or is skipped: `index` is 0-based. */
  onStep?: (index: number, step: Step, decision: { run: boolean; reason: string }) => void;
  /** Called after a step ran. */
  onDone?: (index: number, report: StepReport) => void;
}

/** The manifest at `path`, or an empty one when the file is missing or unreadable. */
export async function readManifest(path: string): Promise<Manifest> {
  try {
    const m = JSON.parse(await Deno.readTextFile(path));
    if (m && m.version === 1 && typeof m.steps === "object") return m as Manifest;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !(err instanceof SyntaxError)) throw err;
  }
  return { version: 1, steps: {} };
}

async function stamp(path: string): Promise<FileStamp | null> {
  try {
    const s = await Deno.stat(path);
    return { size: s.size, mtimeMs: s.mtime?.getTime() ?? 0 };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

async function stamps(paths: readonly string[]): Promise<Record<string, FileStamp | null>> {
  const out: Record<string, FileStamp | null> = {};
  for (const p of paths) out[p] = await stamp(p);
  return out;
}

/** JSON with object keys sorted, so option order never counts as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

function sameStamp(a: FileStamp | null | undefined, b: FileStamp | null | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Why `step` must run, or "" when its record says it is up to date. */
async function staleness(
  step: Step,
  record: StepRecord | undefined,
  changed: ReadonlySet<string>,
  code: CodeFingerprint | undefined,
): Promise<string> {
  if (!record) return "first run";
  const redone = step.inputs.filter((p) => changed.has(p));
  if (redone.length) return `input rebuilt: ${redone.map(baseName).join(", ")}`;
  if (canonical(record.options) !== canonical(step.options)) {
    const keys = new Set([...Object.keys(record.options), ...Object.keys(step.options)]);
    const diff = [...keys].filter((k) =>
      canonical(record.options[k]) !== canonical(step.options[k])
    );
    return `options changed: ${diff.join(", ")}`;
  }
  if (code) {
    if (!record.code) return "code not recorded";
    const was = record.code;
    const keys = [...new Set([...Object.keys(was), ...Object.keys(code)])].sort();
    const diff = keys.filter((k) => was[k] !== code[k]);
    if (diff.length) return `code changed: ${diff.join(", ")}`;
  }
  const inputs = await stamps(step.inputs);
  const inChanged = step.inputs.filter((p) => !sameStamp(inputs[p], record.inputs[p]));
  if (inChanged.length) return `input changed: ${inChanged.map(baseName).join(", ")}`;
  const outputs = await stamps(step.outputs);
  const outChanged = step.outputs.filter((p) => !sameStamp(outputs[p], record.outputs[p]));
  if (outChanged.length) return `output missing or changed: ${outChanged.map(baseName).join(", ")}`;
  return "";
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A step finished but one of its declared outputs does not exist. */
export class StepOutputError extends Error {
  readonly step: string;
  readonly path: string;
  constructor(step: string, path: string) {
    super(`step ${step} did not write ${path}`);
    this.name = "StepOutputError";
    this.step = step;
    this.path = path;
  }
}

/**
 * Runs `steps` in order against the manifest at `manifestPath` (see the
 * module doc), recording each finished step. Throws the first step error;
 * steps finished before it stay recorded.
 */
export async function runSteps(
  manifestPath: string,
  steps: readonly Step[],
  options: RunStepsOptions = {},
): Promise<StepReport[]> {
  const manifest = await readManifest(manifestPath);
  const changed = new Set<string>();
  const reports: StepReport[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const record = manifest.steps[step.name];
    // Hashed before running, so a module edited during the step reads as changed next time.
    const code = step.code ? await fingerprintCode(step.code) : undefined;
    const reason = await staleness(step, record, changed, code);
    options.onStep?.(i, step, { run: reason !== "", reason });
    if (!reason) {
      reports.push({
        name: step.name,
        status: "skipped",
        reason,
        seconds: record.seconds,
        result: record.result,
      });
      continue;
    }
    // Read input stamps before running, so a file changed during the step reads as changed next time.
    const inputs = await stamps(step.inputs);
    const t0 = performance.now();
    const result = await step.run();
    const seconds = (performance.now() - t0) / 1000;
    const outputs = await stamps(step.outputs);
    for (const p of step.outputs) {
      if (!outputs[p]) throw new StepOutputError(step.name, p);
      changed.add(p);
    }
    manifest.steps[step.name] = {
      inputs: inputs as Record<string, FileStamp>,
      outputs: outputs as Record<string, FileStamp>,
      options: JSON.parse(JSON.stringify(step.options)),
      ...(code ? { code } : {}),
      seconds,
      finishedAt: new Date().toISOString(),
      result: result === undefined ? null : JSON.parse(JSON.stringify(result)),
    };
    await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
    const report: StepReport = { name: step.name, status: "ran", reason, seconds, result };
    reports.push(report);
    options.onDone?.(i, report);
  }
  return reports;
}
