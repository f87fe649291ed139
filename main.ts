/**
 * recsys32m command-line interface: one command table, flags parsed once
 * here, `--help` generated from each command's flag table.
 *
 *   deno task recsys <command> [flags]
 *   deno task recsys <command> --help
 */
import {
  type Command,
  commandHelp,
  type FlagTable,
  parseFlags,
  UsageError,
} from "./lib/command.ts";
import { splitCommand } from "./tools/split.ts";
import { synthCommand } from "./tools/synth.ts";
import { neighborsCommand } from "./tools/neighbors.ts";
import { benchCommand } from "./bench/bench.ts";
import { importCommand } from "./tools/import.ts";
import { accuracyCommand, evalCommand } from "./eval/mod.ts";
import { predictCommand } from "./tools/predict.ts";
import { fetchDataCommand } from "./tools/fetch_data.ts";
import { pipelineCommand } from "./tools/pipeline.ts";
import { demoCommand } from "./tools/demo.ts";
import { mrCommand } from "./mr/mod.ts";
import { webCommand } from "./tools/web.ts";
import { tmdbCommand } from "./tools/tmdb_prefetch.ts";
import { inspectCommand } from "./tools/inspect.ts";
import { ModelOptionError, UnknownModelError } from "./lib/models/registry.ts";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command<FlagTable>[] = [
  splitCommand,
  synthCommand,
  neighborsCommand,
  evalCommand,
  accuracyCommand,
  predictCommand,
  importCommand,
  benchCommand,
  fetchDataCommand,
  inspectCommand,
  pipelineCommand,
  demoCommand,
  mrCommand,
  tmdbCommand,
  webCommand,
];

const PROG = "recsys";

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `${PROG}: rating and ranking models, neighbor lists, evaluation, a store and a web app ` +
    "for the MovieLens releases (ML-100k … ML-32M); as a library: mod.ts",
    "",
    `Usage: deno task ${PROG} <command> [flags]   (deno task ${PROG} <command> --help)`,
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join("\n");
}

/** Resolves `argv` to a command (descending into subcommands) and its flags. */
export function resolveCommand(
  argv: readonly string[],
): { command: Command<FlagTable>; path: string; rest: string[] } | "help" {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    return "help";
  }
  let command = COMMANDS.find((c) => c.name === argv[0]);
  if (!command) {
    throw new UsageError(`${PROG}: unknown command '${argv[0]}' (see ${PROG} --help)`, argv[0]);
  }
  let path = command.name;
  let rest = argv.slice(1);
  while (command.subcommands && rest.length > 0 && !rest[0].startsWith("-")) {
    const sub: Command<FlagTable> | undefined = command.subcommands.find((s) => s.name === rest[0]);
    if (!sub) throw new UsageError(`${PROG} ${path}: unknown subcommand '${rest[0]}'`, rest[0]);
    command = sub;
    path += " " + sub.name;
    rest = rest.slice(1);
  }
  return { command, path, rest };
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const resolved = resolveCommand(argv);
    if (resolved === "help") {
      console.log(mainHelp());
      return 0;
    }
    const { command, path, rest } = resolved;
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(commandHelp(PROG, { ...command, name: path }));
      return 0;
    }
    const flags = parseFlags(path, command.flags, rest);
    await command.run(flags);
    return 0;
  } catch (err) {
    // A model name or option is part of the command line: the same exit code in every command.
    if (
      err instanceof UsageError || err instanceof UnknownModelError ||
      err instanceof ModelOptionError
    ) {
      console.error(err.message);
      return 2;
    }
    if (Deno.env.get("RECSYS_DEBUG")) console.error(err);
    else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
