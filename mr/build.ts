/**
 * `deno task build:emr [--arm64] [--out dist/recsys-mr]` (the `mr build`
 * command): compiles mr/cli.ts
 * into one self-contained Linux executable for EMR nodes (x86_64 by
 * default, aarch64 for Graviton instances with `--arm64`).
 *
 * `deno compile` needs the `denort` runtime for the target. It downloads it
 * from dl.deno.land unless the `DENORT_BIN` environment variable names a
 * local copy (which must be for the same target and Deno version). Where the
 * download is unreachable and DENORT_BIN is unset, the build fails with
 * {@link DenortUnavailableError} saying so.
 */
import { defineCommand } from "../lib/command.ts";

export const EMR_TARGETS = {
  x86_64: "x86_64-unknown-linux-gnu",
  aarch64: "aarch64-unknown-linux-gnu",
} as const;

export interface BuildEmrOptions {
  /** Build for aarch64 (Graviton) instead of x86_64. Changes output. @default false */
  arm64: boolean;
  /** Output path. @default "dist/recsys-mr" */
  out: string;
}

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

/** `deno compile` failed for another reason. */
export class BuildError extends Error {
  readonly target: string;
  constructor(target: string, detail: string) {
    super(`deno compile for ${target} failed:\n${detail}`);
    this.name = "BuildError";
    this.target = target;
  }
}

/** Compiles mr/cli.ts to `options.out`; returns the target and the binary's size. */
export async function buildEmr(
  options: BuildEmrOptions,
): Promise<{ target: string; path: string; bytes: number }> {
  const target = options.arm64 ? EMR_TARGETS.aarch64 : EMR_TARGETS.x86_64;
  const slash = options.out.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(options.out.slice(0, slash), { recursive: true });
  const cli = new URL("./cli.ts", import.meta.url).pathname;
  // The tasks need no permission at all: stdin in, stdout and stderr out.
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "--quiet", "--no-check", "--target", target, "--output", options.out, cli],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const detail = new TextDecoder().decode(result.stderr).trim().split("\n").slice(0, 6).join(
      "\n",
    );
    if (!Deno.env.get("DENORT_BIN")) throw new DenortUnavailableError(target, detail);
    throw new BuildError(target, detail);
  }
  return { target, path: options.out, bytes: (await Deno.stat(options.out)).size };
}

export const buildEmrCommand = defineCommand({
  name: "build",
  summary: "compile the Hadoop Streaming tasks (mr/cli.ts) into one Linux binary for EMR",
  flags: {
    arm64: { type: "boolean", doc: "build for aarch64-unknown-linux-gnu (Graviton)" },
    out: { type: "string", default: "dist/recsys-mr", arg: "<file>", doc: "output binary" },
  },
  details: "Set DENORT_BIN to a local denort binary where dl.deno.land is unreachable.",
  async run(f) {
    const r = await buildEmr(f);
    console.log(`built ${r.path} for ${r.target} (${(r.bytes / 1e6).toFixed(1)} MB)`);
  },
});
