/**
 * Bench entry `pipeline`: the whole `pipeline` command from scratch on the
 * bench context's synthetic release (`ratings.csv`, `movies.csv`,
 * `links.csv`), with the shipped defaults, into a fresh `pipeline-out/`
 * beside it (SQLite store inside). One end-to-end run, not a sum of parts
 * (issue #23's target at scale 1: ≤ 15 min on 2 cores).
 *
 * Recorded per step, in `extra`: wall seconds (`<step>`) and CPU seconds of
 * the whole process, Workers included (`<step>.cpu`), so a step's cores in
 * use are `cpu / wall`. The CPU clock is read when the pipeline logs a
 * step's start and end lines.
 */
import process from "node:process";
import { PIPELINE_DEFAULTS, runPipeline } from "../tools/pipeline.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import type { BenchEntry } from "./context.ts";

const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

export const pipelineEntry: BenchEntry = {
  name: "pipeline",
  description: "the whole pipeline from scratch, wall and CPU seconds per step " +
    "(target ≤ 15 min at scale 1)",
  async run(ctx) {
    const out = `${ctx.dir}/pipeline-out`;
    await Deno.remove(out, { recursive: true }).catch(() => {});
    const started = new Map<string, number>();
    const extra: Record<string, number | string> = {};
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const r = await runPipeline({
      ...PIPELINE_DEFAULTS,
      data: ctx.dir,
      out,
      engine: "inproc",
      workers: defaultWorkers(),
      progress: false,
      log(line) {
        const step = /^\[\d+\/\d+\] (\S+)\s+(running|done in)/.exec(line);
        if (step?.[2] === "running") started.set(step[1], cpuSeconds());
        else if (step) {
          extra[`${step[1]}.cpu`] = Number((cpuSeconds() - started.get(step[1])!).toFixed(2));
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    for (const s of r.steps) extra[s.name] = Number(s.seconds.toFixed(2));
    extra.cpuSeconds = Number((cpuSeconds() - cpu0).toFixed(2));
    return { seconds, work: r.steps.length, unit: "steps", extra };
  },
};
