/**
 * `recsys-mr`: the one program of the Hadoop Streaming pipeline, built by
 * `deno task build:emr` into the bundle `recsys-mr.js` (run by Deno) or the
 * compiled binary `recsys-mr`, and shipped to EMR with `-files`. Each
 * subcommand is one mapper, combiner or reducer (mr/stages.ts): it reads
 * stdin, writes `key<TAB>value` lines on stdout, reports Hadoop counters on
 * stderr, and exits non-zero on failure (which fails the task attempt).
 *
 *   recsys-mr mr1-map --mode user < ratings_train.csv
 *   recsys-mr mr4-reduce --k 50 --strict
 *
 * It needs no permission: only stdin, stdout and stderr.
 */
import {
  commandHelp,
  defineCommand,
  type FlagTable,
  parseFlags,
  UsageError,
} from "../lib/command.ts";
import {
  LineWriter,
  MalformedRecordError,
  Reporter,
  type SyncReader,
  type SyncWriter,
} from "./line_io.ts";
import { NEIGHBOR_DEFAULTS } from "../lib/neighbors/options.ts";
import { TASK_FLAGS, type TaskOptions, TASKS } from "./stages.ts";

const STRICT_FLAG = {
  strict: { type: "boolean", doc: "fail on the first malformed input line instead of skipping" },
} as const satisfies FlagTable;

/** The flag table of one subcommand: its own options plus `--strict`. */
export function taskFlagTable(task: string): FlagTable {
  const table: FlagTable = {};
  for (const key of TASKS[task].options) table[key] = TASK_FLAGS[key];
  return { ...table, ...STRICT_FLAG };
}

/** Options for a task from parsed flags; options the task does not read keep their defaults. */
function taskOptions(flags: Record<string, unknown>): TaskOptions {
  return { mode: "user", ...NEIGHBOR_DEFAULTS, ...flags } as TaskOptions;
}

/** Runs subcommand `argv[0]` over `input`; returns the exit code. */
export function runTaskCli(
  argv: readonly string[],
  input: SyncReader,
  output: SyncWriter,
  errors: SyncWriter,
): number {
  const encoder = new TextEncoder();
  const say = (text: string) => errors.writeSync(encoder.encode(text + "\n"));
  const task = argv[0];
  if (task === undefined || task === "--help" || !(task in TASKS)) {
    say(
      `recsys-mr: Hadoop Streaming tasks of the recsys32m neighbor pipeline\n\n` +
        `Usage: recsys-mr <task> [flags] < input > output   (recsys-mr <task> --help)\n\n` +
        `Tasks: ${Object.keys(TASKS).join(", ")}`,
    );
    return task === "--help" ? 0 : 2;
  }
  const table = taskFlagTable(task);
  const rest = argv.slice(1);
  if (rest.includes("--help")) {
    const command = defineCommand({
      name: task,
      summary: "streaming task",
      flags: table,
      run() {},
    });
    say(commandHelp("recsys-mr", command));
    return 0;
  }
  try {
    const flags = parseFlags(task, table, rest) as Record<string, unknown>;
    const reporter = new Reporter(task, flags.strict === true, errors);
    const out = new LineWriter(output);
    TASKS[task].run(input, out, reporter, taskOptions(flags));
    out.flush();
    return 0;
  } catch (err) {
    // MalformedRecordError already names the task.
    const text = err instanceof Error ? err.message : String(err);
    say(err instanceof MalformedRecordError ? text : `${task}: ${text}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(runTaskCli(Deno.args, Deno.stdin, Deno.stdout, Deno.stderr));
