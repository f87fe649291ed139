/**
 * The four Hadoop Streaming jobs of the neighbor pipeline, as argv lists of
 * `recsys-mr` subcommands. The local runner (mr/local_runner.ts) and the EMR step
 * generator (mr/emr_plan.ts) both take their commands from here, so what is
 * tested locally is exactly what runs on the cluster.
 *
 * MR1 pairs the members of each group; MR2 sums each pair's co-ratings
 * (with a combiner); MR3 is map-only (similarity, both directions); MR4
 * keeps each row's top K (with a top-K combiner, which is exact because the
 * union of partial top-Ks contains the global top K).
 */
import { taskArgv, type TaskOptions } from "./stages.ts";

export interface JobSpec {
  /** `mr1`..`mr4`, also the job's output directory name. */
  name: string;
  /** What the job does, for logs and the EMR step name. */
  title: string;
  mapper: string[];
  combiner?: string[];
  /** Absent for a map-only job. */
  reducer?: string[];
}

/** The jobs for `options`, in order; each reads the previous one's output. */
export function planJobs(options: TaskOptions, strict = false): JobSpec[] {
  const argv = (task: string) => taskArgv(task, options, strict);
  const group = options.mode === "user" ? "movie" : "user";
  const member = options.mode === "user" ? "rater" : "rated movie";
  return [
    {
      name: "mr1",
      title: `group ratings by ${group}, emit ${member} pairs`,
      mapper: argv("mr1-map"),
      reducer: argv("mr1-reduce"),
    },
    {
      name: "mr2",
      title: "sum co-ratings per pair",
      mapper: argv("mr2-map"),
      combiner: argv("mr2-combine"),
      reducer: argv("mr2-reduce"),
    },
    {
      name: "mr3",
      title: `${options.similarity} similarity per pair, both directions`,
      mapper: argv("mr3-map"),
    },
    {
      name: "mr4",
      title: `top ${options.k} neighbors per ${options.mode}`,
      mapper: argv("mr4-map"),
      combiner: argv("mr4-combine"),
      reducer: argv("mr4-reduce"),
    },
  ];
}
