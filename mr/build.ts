/**
 * `deno task build:emr [--bundle] [--arm64] [--out-dir dist]` (the `mr build`
 * command): the artifact that ships the Hadoop Streaming tasks (mr/task.ts)
 * to EMR nodes, one of two kinds (mr/streaming.ts runs either):
 *
 * - **binary** `dist/recsys-mr`, when `DENORT_BIN` is set: `deno compile`
 *   for x86_64 (aarch64 for Graviton with `--arm64`). Nothing to install on
 *   the nodes. `deno compile` needs the `denort` runtime of the target; it
 *   downloads it from dl.deno.land unless `DENORT_BIN` names a local copy
 *   (same target and Deno version).
 * - **bundle** `dist/recsys-mr.js` plus `dist/install-deno.sh`, otherwise
 *   (or with `--bundle`): `deno bundle` makes one self-contained JavaScript
 *   file (no imports, needs no permission), and the script is the bootstrap
 *   action that installs the pinned Deno with its checksum on every node
 *   (mr/deno_install.ts). The same bundle runs on x86_64 and aarch64.
 */
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { defineCommand } from "../lib/command.ts";
import { installDenoScript, PINNED_DENO } from "./deno_install.ts";

export const EMR_TARGETS = {
  x86_64: "x86_64-unknown-linux-gnu",
  aarch64: "aarch64-unknown-linux-gnu",
} as const;

export interface BuildEmrOptions {
  /** Build the bundle even where DENORT_BIN is set. @default false */
  bundle?: boolean;
  /** Compile for aarch64 (Graviton) instead of x86_64; the bundle runs on both. @default false */
  arm64: boolean;
  /** Output directory. @default "dist" */
  outDir: string;
}

/** What a build wrote. */
export type BuiltArtifact =
  | { kind: "binary"; target: string; path: string; bytes: number }
  | { kind: "bundle"; path: string; bytes: number; bootstrap: string; denoVersion: string };

/** `deno compile` failed and no local runtime was given. */
export class DenortUnavailableError extends Error {
  readonly target: string;
  constructor(target: string, detail: string) {
    super(
      `deno compile could not get the denort runtime for ${target}: it cannot be downloaded ` +
        `from here (dl.deno.land unreachable) and DENORT_BIN is not set. Download ` +
        `denort-${target}.zip for Deno ${Deno.version.deno} on a machine with access, unzip ` +
        `it, and run again with DENORT_BIN=/path/to/denort.\n${detail}`,
    );
    this.name = "DenortUnavailableError";
    this.target = target;
  }
}

/** `deno compile` or `deno bundle` failed for another reason. */
export class BuildError extends Error {
  readonly target: string;
  constructor(target: string, detail: string) {
    super(`deno build for ${target} failed:\n${detail}`);
    this.name = "BuildError";
    this.target = target;
  }
}

const TASK_BINARY = new URL("./task.ts", import.meta.url).pathname;

async function deno(args: string[]): Promise<{ success: boolean; detail: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const detail = new TextDecoder().decode(result.stderr).trim().split("\n").slice(0, 6).join("\n");
  return { success: result.success, detail };
}

/** Builds the binary when DENORT_BIN is set (and `bundle` is not), else the bundle. */
export async function buildEmr(options: BuildEmrOptions): Promise<BuiltArtifact> {
  await Deno.mkdir(options.outDir, { recursive: true });
  if (options.bundle || !Deno.env.get("DENORT_BIN")) return await buildBundle(options.outDir);
  const target = options.arm64 ? EMR_TARGETS.aarch64 : EMR_TARGETS.x86_64;
  const path = `${options.outDir}/recsys-mr`;
  // The tasks need no permission at all: stdin in, stdout and stderr out.
  const r = await deno([
    "compile",
    "--quiet",
    "--no-check",
    "--target",
    target,
    "--output",
    path,
    TASK_BINARY,
  ]);
  if (!r.success) {
    if (!Deno.env.get("DENORT_BIN")) throw new DenortUnavailableError(target, r.detail);
    throw new BuildError(target, r.detail);
  }
  return { kind: "binary", target, path, bytes: (await Deno.stat(path)).size };
}

async function buildBundle(outDir: string): Promise<BuiltArtifact> {
  const path = `${outDir}/recsys-mr.js`;
  const bootstrap = `${outDir}/install-deno.sh`;
  const tmp = `${outDir}/.recsys-mr.js.tmp-${Deno.pid}`;
  try {
    const r = await deno(["bundle", "--quiet", "--platform", "deno", "--output", tmp, TASK_BINARY]);
    if (!r.success) throw new BuildError("bundle", r.detail);
    await Deno.rename(tmp, path);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
  await writeFileAtomic(bootstrap, installDenoScript());
  await Deno.chmod(bootstrap, 0o755);
  return {
    kind: "bundle",
    path,
    bytes: (await Deno.stat(path)).size,
    bootstrap,
    denoVersion: PINNED_DENO.version,
  };
}

export const buildEmrCommand = defineCommand({
  name: "build",
  summary: "build the Hadoop Streaming tasks (mr/task.ts) for EMR: a binary, or a bundle for Deno",
  flags: {
    bundle: { type: "boolean", doc: "build the bundle even where DENORT_BIN is set" },
    arm64: { type: "boolean", doc: "compile for aarch64-unknown-linux-gnu (Graviton)" },
    out: {
      type: "string",
      default: "dist",
      arg: "<dir>",
      was: ["out-dir"],
      doc: "output directory",
    },
  },
  details: "With DENORT_BIN (a local denort of this Deno version and the target) it runs deno " +
    "compile: <dir>/recsys-mr. Otherwise it writes <dir>/recsys-mr.js (deno bundle) and " +
    "<dir>/install-deno.sh, the bootstrap action installing the pinned Deno on each node.",
  async run(f) {
    const r = await buildEmr({ ...f, outDir: f.out });
    const size = `${(r.bytes / 1e6).toFixed(2)} MB`;
    if (r.kind === "binary") {
      console.log(`built ${r.path} for ${r.target} (${size})`);
      return;
    }
    console.log(`built ${r.path} (${size}) and its bootstrap action ${r.bootstrap}`);
    console.log(`nodes run it with Deno ${r.denoVersion} (x86_64 and aarch64 alike)`);
    if (f.arm64) console.log("note: --arm64 only selects the binary's target; the bundle has none");
    if (Deno.version.deno !== r.denoVersion) {
      console.log(
        `note: local runs (mr --artifact) use this machine's Deno ${Deno.version.deno}, ` +
          `not ${r.denoVersion}`,
      );
    }
  },
});
