/**
 * MR1–MR4 on Apache Hadoop itself (mr/hadoop_runner.ts), on a fixture of a
 * few thousand synthetic ratings: Hadoop Streaming in local mode and on a
 * one-machine YARN + HDFS cluster (one cluster for every test of this file:
 * JVMs start slowly), in both modes, byte for byte against `neighbors`, with
 * the same sidecar plus Hadoop's counters; and a failed task reported in one
 * line naming the job, the attempt and the task's first stderr line.
 *
 * Needs Java 17 and Maven (Hadoop comes from Maven Central through
 * mr/hadoop/setup.sh, which .ci/run calls): ignored with the reason printed
 * where they are missing, run and failing under RECSYS_REQUIRE_SERVICES=1.
 */
import assert from "node:assert/strict";
import { absent } from "./fixtures/services.ts";
import { buildEmr } from "../mr/build.ts";
import { HadoopJobError, mrCommand, runMr } from "../mr/mod.ts";
import { MiniCluster } from "../mr/hadoop_runner.ts";
import { parseFlags } from "../lib/command.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { type NeighborFileMeta, readNeighborMeta } from "../lib/neighbor_meta.ts";
import type { Mode } from "../lib/mode.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";

/** Why the Hadoop tests cannot run here, or null. */
async function hadoopMissing(): Promise<string | null> {
  for (const [tool, flag] of [["java", "-version"], ["javac", "-version"], ["mvn", "-v"]]) {
    try {
      const r = await new Deno.Command(tool, { args: [flag], stdout: "null", stderr: "null" })
        .output();
      if (!r.success) return `${tool} ${flag} failed`;
    } catch {
      return `no ${tool} (Java 17 and Maven are needed for Hadoop)`;
    }
  }
  return null;
}
const MISSING = await hadoopMissing();

const OPTIONS = {
  k: 10,
  minCommon: 3,
  similarity: "pearson" as const,
  shrink: 5,
  maxRaters: 25,
};

/** A few thousand synthetic training ratings, the bundle, and `neighbors`' files for both modes. */
async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "hadoop_test_" });
  await synthesize(`${dir}/synth`, { scale: 0.0003, seed: 3 });
  await splitRatings(`${dir}/synth/ratings.csv`, `${dir}/synth`, {
    testRatio: 0.2,
    seed: 42,
    skipInvalid: false,
  });
  const train = `${dir}/synth/ratings_train.csv`;
  const artifact = (await buildEmr({ bundle: true, arm64: false, outDir: `${dir}/dist` })).path;
  const expected: Record<Mode, string> = { user: "", item: "" };
  for (const mode of ["user", "item"] as const) {
    expected[mode] = `${dir}/neighbors-${mode}.txt`;
    await computeNeighborsFile(train, expected[mode], {
      mode,
      ...OPTIONS,
      workers: 2,
      progress: false,
    });
  }
  return { dir, train, artifact, expected };
}

/** Runs `f` with console.log collected instead of printed. */
async function captured(f: () => unknown): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await f();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

/** The neighbor file equals `neighbors`' byte for byte; the sidecars agree on every shared field. */
async function assertSameAsNeighbors(out: string, expected: string, runner: string) {
  const bytes = await Deno.readFile(out);
  assert.ok(bytes.length > 500, `${out} is nearly empty`);
  assert.deepEqual(bytes, await Deno.readFile(expected), `${out} differs from ${expected}`);
  const meta = (await readNeighborMeta(out))!;
  const engineMeta = (await readNeighborMeta(expected))!;
  assert.equal(engineMeta.counters, undefined);
  const { counters, ...shared } = meta;
  assert.deepEqual(shared, engineMeta);
  assert.equal(counters?.runner, runner);
  assert.deepEqual(Object.keys(counters!.jobs), ["mr1", "mr2", "mr3", "mr4"]);
  return { meta, bytes };
}

/** What Hadoop's counters must say about a correct run on `train` writing `bytes`. */
async function assertCounters(meta: NeighborFileMeta, train: string, bytes: Uint8Array) {
  const localFs = meta.counters!.runner === "hadoop";
  const jobs = meta.counters!.jobs;
  const lines = (s: string) => s.split("\n").filter((l) => l !== "").length;
  assert.equal(jobs.mr1["Map input records"], lines(await Deno.readTextFile(train)));
  // Each job reads what the previous one wrote.
  assert.equal(jobs.mr2["Map input records"], jobs.mr1["Reduce output records"]);
  assert.equal(jobs.mr3["Map input records"], jobs.mr2["Reduce output records"]);
  // MR3 writes both directions of every pair with a similarity (pearson leaves some without).
  assert.ok(jobs.mr3["Map output records"] <= 2 * jobs.mr3["Map input records"]);
  assert.equal(jobs.mr3["Map output records"] % 2, 0);
  assert.equal(jobs.mr4["Map input records"], jobs.mr3["Map output records"]);
  // The combiners ran and MR4 wrote one line per row of the file.
  assert.equal(jobs.mr2["Combine input records"], jobs.mr2["Map output records"]);
  assert.ok(jobs.mr2["Combine output records"] < jobs.mr2["Combine input records"]);
  assert.equal(jobs.mr4["Reduce input groups"], lines(new TextDecoder().decode(bytes)));
  assert.equal(jobs.mr4["Reduce output records"], jobs.mr4["Reduce input groups"]);
  // On the local file system Hadoop also counts the .crc files it writes beside the parts.
  if (localFs) assert.ok(jobs.mr4["Bytes Written"] > bytes.length);
  else assert.equal(jobs.mr4["Bytes Written"], bytes.length);
  assert.ok(jobs.mr1["Spilled Records"] >= jobs.mr1["Map output records"]);
}

/** Training ratings with one malformed line, for a task that fails under --strict. */
async function brokenTrain(dir: string, train: string): Promise<string> {
  const lines = (await Deno.readTextFile(train)).split("\n");
  lines.splice(3, 0, "1,2,not-a-rating,3");
  await Deno.writeTextFile(`${dir}/broken.csv`, lines.join("\n"));
  return `${dir}/broken.csv`;
}

Deno.test({
  name: "Hadoop Streaming in local mode: both modes byte for byte, counters, a failed task",
  ignore: absent("hadoop local mode", MISSING),
  async fn(t) {
    const { dir, train, artifact, expected } = await fixture();
    await t.step("user mode through `recsys mr --runner hadoop`, counters printed", async () => {
      const out = `${dir}/hadoop-user.txt`;
      const printed = await captured(() =>
        mrCommand.run(parseFlags("mr", mrCommand.flags, [
          ...["--train", train, "--mode", "user", "--out", out, "--runner", "hadoop"],
          ...["--k", "10", "--min-common", "3", "--similarity", "pearson", "--shrink", "5"],
          ...["--max-raters", "25", "--reducers", "3", "--artifact", artifact],
        ]))
      );
      const { meta, bytes } = await assertSameAsNeighbors(out, expected.user, "hadoop");
      await assertCounters(meta, train, bytes);
      for (const job of ["mr1", "mr2", "mr3", "mr4"]) {
        const line = printed.split("\n").find((l) => l.startsWith(`${job} (`));
        assert.match(line ?? "", /counters: Map input records=\d+, Map output records=\d+/);
      }
      assert.match(printed, /on Hadoop \(local mode; log .*hadoop-user\.txt\.hadoop\.log\)/);
      const log = await Deno.readTextFile(`${out}.hadoop.log`);
      assert.match(log, /mapreduce\.Job: Counters: \d+/);
      assert.match(log, /mapreduce\.framework\.name=local/);
    });

    await t.step("item mode, the bundle built for the run", async () => {
      const out = `${dir}/hadoop-item.txt`;
      await runMr(train, out, {
        mode: "item",
        ...OPTIONS,
        runner: "hadoop",
        reducers: 2,
        workers: 2,
      });
      const { meta, bytes } = await assertSameAsNeighbors(out, expected.item, "hadoop");
      await assertCounters(meta, train, bytes);
    });

    await t.step("a failed task: one line with the job, the attempt, its stderr", async () => {
      const broken = await brokenTrain(dir, train);
      await assert.rejects(
        () =>
          runMr(broken, `${dir}/broken.txt`, {
            mode: "user",
            ...OPTIONS,
            runner: "hadoop",
            reducers: 2,
            workers: 2,
            strict: true,
            artifact,
          }),
        (e: unknown) => {
          assert.ok(e instanceof HadoopJobError, String(e));
          assert.equal(e.job, "mr1");
          assert.match(e.attempt ?? "", /^attempt_local\d+_0001_m_000000_0$/);
          assert.match(e.stderrLine ?? "", /^mr1-map: stdin:4: rating: 'not-a-rating'/);
          assert.equal(e.message.split("\n").length, 1);
          assert.ok(e.message.includes(e.attempt!) && e.message.includes(e.stderrLine!));
          return true;
        },
      );
      await assert.rejects(() => Deno.stat(`${dir}/broken.txt`), Deno.errors.NotFound);
    });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "Hadoop on a one-machine YARN + HDFS cluster: both modes byte for byte, a failed task",
  ignore: absent("hadoop-yarn mini cluster", MISSING),
  async fn(t) {
    const { dir, train, artifact, expected } = await fixture();
    const log = await Deno.open(`${dir}/cluster.log`, { write: true, create: true });
    const cluster = await MiniCluster.start(`${dir}/cluster`, log);
    try {
      for (const mode of ["user", "item"] as const) {
        await t.step(`${mode} mode: tasks in NodeManager containers`, async () => {
          const out = `${dir}/yarn-${mode}.txt`;
          await runMr(train, out, {
            mode,
            ...OPTIONS,
            runner: "hadoop-yarn",
            reducers: 2,
            maps: 1,
            workers: 2,
            artifact,
            cluster,
          });
          const { meta, bytes } = await assertSameAsNeighbors(out, expected[mode], "hadoop-yarn");
          await assertCounters(meta, train, bytes);
          // YARN launched the reducers asked for, in containers of the NodeManager.
          assert.equal(meta.counters!.jobs.mr1["Launched reduce tasks"], 2);
          assert.equal(meta.counters!.jobs.mr3["Launched reduce tasks"], undefined);
          const text = await Deno.readTextFile(`${out}.hadoop.log`);
          assert.match(text, /mapreduce\.Job: Counters: \d+/);
          assert.match(text, /Submitted application application_\d+_\d+/);
        });
      }
      await t.step("a failed task: the attempt and its container's stderr", async () => {
        const broken = await brokenTrain(dir, train);
        await assert.rejects(
          () =>
            runMr(broken, `${dir}/broken.txt`, {
              mode: "item",
              ...OPTIONS,
              runner: "hadoop-yarn",
              reducers: 1,
              maps: 1,
              workers: 2,
              strict: true,
              artifact,
              cluster,
            }),
          (e: unknown) => {
            assert.ok(e instanceof HadoopJobError, String(e));
            assert.equal(e.job, "mr1");
            assert.match(e.attempt ?? "", /^attempt_\d+_\d+_m_000000_0$/);
            assert.match(e.stderrLine ?? "", /^mr1-map: stdin:4: rating: 'not-a-rating'/);
            assert.equal(e.message.split("\n").length, 1);
            return true;
          },
        );
      });
    } finally {
      await cluster.close();
      log.close();
    }
    await Deno.remove(dir, { recursive: true });
  },
});
