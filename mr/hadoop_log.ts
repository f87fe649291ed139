/**
 * Reading what Hadoop writes: the job counters a job client logs when a job
 * ends (`INFO mapreduce.Job: Counters: N`, then one TAB-indented line per
 * group and two per counter), and, when a job failed, which task attempt
 * failed and the first line that attempt's program wrote on stderr.
 *
 * The same text comes from every way Hadoop runs here: `HadoopStreaming` in
 * local mode, the mini cluster's client, and `hadoop jar` of an installation
 * (whose launch script logs to the console the same way).
 */

/** The counters kept (Hadoop's display names), beside the `recsys` group's own. */
export const KEPT_COUNTERS = [
  "Launched map tasks",
  "Launched reduce tasks",
  "Map input records",
  "Map output records",
  "Map output bytes",
  "Combine input records",
  "Combine output records",
  "Reduce input groups",
  "Reduce input records",
  "Reduce output records",
  "Spilled Records",
  "Bytes Written",
] as const;

/** Groups whose counters of {@link KEPT_COUNTERS} are kept ("Bytes Written" is the output format's). */
const KEPT_GROUPS = new Set([
  "Job Counters",
  "Map-Reduce Framework",
  "File Output Format Counters",
]);

/** A log4j line of the pattern the runners configure (`2026-12-04 19:07:15,338 INFO …`). */
const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ /;

/**
 * The job counters of the last `mapreduce.Job: Counters:` block in `log`
 * (one job's log): Hadoop's names for {@link KEPT_COUNTERS}, and
 * `recsys.<name>` for the tasks' own (`reporter:counter:recsys,NAME,N`).
 * Empty when the log has no such block (a job that failed before running).
 */
export function parseJobCounters(log: string): Record<string, number> {
  const lines = log.split("\n");
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (/ mapreduce\.Job: Counters: \d+\s*$/.test(lines[i])) start = i;
  }
  const counters: Record<string, number> = {};
  if (start < 0) return counters;
  let group = "";
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    const counter = /^\t\t(.+?)=(-?\d+)\s*$/.exec(line);
    if (counter) {
      const [, name, value] = counter;
      if (group === "recsys") counters[`recsys.${name.trim()}`] = Number(value);
      else if (
        KEPT_GROUPS.has(group) && (KEPT_COUNTERS as readonly string[]).includes(name.trim())
      ) {
        counters[name.trim()] = Number(value);
      }
      continue;
    }
    const g = /^\t(\S.*?)\s*$/.exec(line);
    if (g) {
      group = g[1];
      continue;
    }
    break;
  }
  return counters;
}

/** Counters as one line: `Map input records=12720 …`, in {@link KEPT_COUNTERS} order. */
export function formatCounters(counters: Record<string, number>): string {
  const names = [
    ...KEPT_COUNTERS.filter((n) => n in counters),
    ...Object.keys(counters).filter((n) => n.startsWith("recsys.")).sort(),
  ];
  return names.map((n) => `${n}=${counters[n]}`).join(", ");
}

/** Whether a line is Hadoop's own (log4j, a stack trace, the streaming client) and not a task's. */
function isHadoopLine(line: string): boolean {
  return LOG_LINE.test(line) || /^\s/.test(line) || line.startsWith("Caused by:") ||
    /^[a-z][\w$]*(\.[\w$]+)+(Exception|Error)\b/.test(line) ||
    /^(log4j|SLF4J|WARNING|reporter):/.test(line) || line.startsWith("Streaming Command Failed") ||
    /^(INFO|WARN|ERROR): /.test(line);
}

/** The first line of a task's stderr in `text`, or null. */
export function firstTaskErrorLine(text: string): string | null {
  for (const line of text.split("\n")) {
    if (line.trim() !== "" && !isHadoopLine(line)) return line.trim();
  }
  return null;
}

/** The failed attempt and its first stderr line, as far as the log tells. */
export interface TaskFailure {
  attempt: string | null;
  line: string | null;
}

/**
 * A failed job in local mode (LocalJobRunner): tasks run one at a time in
 * the client's JVM, each after `Starting task: attempt_…`, and the streaming
 * program's stderr is copied into the client's stderr as it comes, so the
 * first task line names the failing task's stderr and the last attempt
 * started before it is the one that failed.
 */
export function localTaskFailure(log: string): TaskFailure {
  let attempt: string | null = null;
  for (const line of log.split("\n")) {
    const started = /Starting task: (attempt_\S+)/.exec(line);
    if (started) {
      attempt = started[1];
      continue;
    }
    if (line.trim() !== "" && !isHadoopLine(line)) return { attempt, line: line.trim() };
  }
  return { attempt: failedAttempt(log) ?? attempt, line: firstErrorMessage(log) };
}

/** The first attempt the job client reported failed (`Task Id : attempt_…, Status : FAILED`). */
export function failedAttempt(log: string): string | null {
  return /Task Id : (attempt_\S+?), Status : FAILED/.exec(log)?.[1] ?? null;
}

/** The message of the first ERROR line (or the streaming client's failure), when no task line is known. */
export function firstErrorMessage(log: string): string | null {
  for (const line of log.split("\n")) {
    const m = /^\S+ \S+ ERROR \S+: (.*)$/.exec(line);
    if (m) return m[1].trim();
  }
  const m = /^Error: (.*)$/m.exec(log) ??
    /^(?:Exception in thread "\S+" )?(\S*(?:Exception|Error)\b.*)$/m.exec(log);
  return m ? m[1].trim() : null;
}

/**
 * The containers an application master's syslog assigned to attempts
 * (`Assigned container container_… to attempt_…`), in order.
 */
export function assignedContainers(amSyslog: string): { attempt: string; container: string }[] {
  const re = /Assigned container (container_\S+) to (attempt_\S+)/g;
  return [...amSyslog.matchAll(re)].map((m) => ({ attempt: m[2], container: m[1] }));
}

/**
 * The task whose failure failed the job (`Task failed task_…`, the client's
 * line when a task used up its attempts), or null.
 */
export function failedTask(log: string): string | null {
  return /Task failed (task_\S+)/.exec(log)?.[1] ?? null;
}
