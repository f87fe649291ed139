/**
 * The Hadoop Streaming pipeline: each task on fixed lines, Hadoop's
 * partitioner, reducers fed keys split across partitions, the whole local
 * pipeline against a plain brute-force reference and byte for byte against
 * the in-process `neighbors` engine (both modes, both similarities, 1 and 3
 * reducers), malformed input, emr-plan and build:emr.
 */
import assert from "node:assert/strict";
import { raterCapKey } from "../lib/hash.ts";
import { parseFlags } from "../lib/command.ts";
import { runTaskCli } from "../mr/cli.ts";
import { buildEmr } from "../mr/build.ts";
import { emrCommands, emrPlanCommand, emrSteps, normalizeBucket } from "../mr/emr_plan.ts";
import { MrTaskError, runLocalMr } from "../mr/runner.ts";
import { hadoopPartition, rowKeySkew } from "../mr/partitioner.ts";
import type { SyncReader, SyncWriter } from "../mr/line_io.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import { computeNeighborsFile } from "../tools/neighbors.ts";
import { referenceNeighborText } from "./fixtures/reference_neighbors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reader handing out at most `piece` bytes per read, so lines span reads. */
function reader(text: string, piece = 7): SyncReader {
  const bytes = encoder.encode(text);
  let pos = 0;
  return {
    readSync(p) {
      if (pos >= bytes.length) return null;
      const n = Math.min(piece, p.length, bytes.length - pos);
      p.set(bytes.subarray(pos, pos + n));
      pos += n;
      return n;
    },
  };
}

class Collect implements SyncWriter {
  chunks: Uint8Array[] = [];
  writeSync(p: Uint8Array): number {
    this.chunks.push(p.slice());
    return p.length;
  }
  text(): string {
    return this.chunks.map((c) => decoder.decode(c)).join("");
  }
}

/** Runs one task in-process as the CLI does; returns exit code, stdout lines and stderr. */
function task(argv: string[], input: string) {
  const out = new Collect(), err = new Collect();
  const code = runTaskCli(argv, reader(input), out, err);
  const text = out.text();
  return { code, lines: text === "" ? [] : text.replace(/\n$/, "").split("\n"), err: err.text() };
}

const pad = (id: number) => String(id).padStart(10, "0");

Deno.test("mr tasks on fixed lines", async (t) => {
  await t.step("mr1-map keys user mode by movie and item mode by user, ratings doubled", () => {
    const input = "userId,movieId,rating,timestamp\r\n1,10,4.0,9\r\n2,10,0.5,9\r\n3,30,5.0,9";
    assert.deepEqual(task(["mr1-map", "--mode", "user"], input).lines, [
      "10\t1,8",
      "10\t2,1",
      "30\t3,10",
    ]);
    assert.deepEqual(task(["mr1-map", "--mode", "item"], input).lines, [
      "1\t10,8",
      "2\t10,1",
      "3\t30,10",
    ]);
  });

  await t.step("mr1-reduce emits every pair of a group's members, smaller id first", () => {
    const r = task(["mr1-reduce", "--mode", "user"], "10\t3,8\n10\t1,4\n10\t2,6\n20\t5,2\n");
    assert.equal(r.code, 0);
    assert.deepEqual(r.lines, ["1,2\t4,6", "1,3\t4,8", "2,3\t6,8"]);
  });

  await t.step("mr1-reduce keeps the N members with the smallest cap keys", () => {
    const members = [1, 2, 3, 4, 5, 6];
    const kept = members
      .map((m) => ({ m, key: raterCapKey(7, m) }))
      .sort((a, b) => a.key - b.key || a.m - b.m)
      .slice(0, 3)
      .map((e) => e.m)
      .sort((a, b) => a - b);
    const expected: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        expected.push(`${kept[i]},${kept[j]}\t${kept[i]},${kept[j]}`);
      }
    }
    const input = members.map((m) => `7\t${m},${m}\n`).join("");
    const r = task(["mr1-reduce", "--mode", "user", "--max-raters", "3"], input);
    assert.deepEqual(r.lines, expected);
    assert.match(r.err, /reporter:counter:recsys,groups-capped,1/);
  });

  await t.step("mr1-reduce fails on a duplicate rating", () => {
    const r = task(["mr1-reduce", "--mode", "item"], "5\t3,4\n5\t3,6\n");
    assert.equal(r.code, 1);
    assert.match(r.err, /duplicate rating for userId 5, movieId 3/);
  });

  // (1,2): ratings (4,6), (2,2), then partial sums of (2,4),(2,2); (1,3): one rating (1,1).
  const pairs = "1,2\t4,6\n1,2\t2,2\n1,2\t2,4,6,12,8,20\n1,3\t1,1\n";
  await t.step("mr2-combine adds single ratings and partial sums; a lone rating stays x,y", () => {
    // n = 1+1+2, Σx = 4+2+4, Σy = 6+2+6, Σxy = 24+4+12, Σx² = 16+4+8, Σy² = 36+4+20
    assert.deepEqual(task(["mr2-combine"], pairs).lines, [
      "1,2\t4,10,14,40,28,60",
      "1,3\t1,1",
    ]);
  });

  await t.step("mr2-reduce drops pairs under --min-common", () => {
    assert.deepEqual(task(["mr2-reduce", "--min-common", "2"], pairs).lines, [
      "1,2\t4,10,14,40,28,60",
    ]);
  });

  await t.step("mr2-map passes records on unchanged", () => {
    assert.deepEqual(task(["mr2-map"], pairs).lines, pairs.trimEnd().split("\n"));
  });

  const sums = "1,2\t4,10,14,40,28,60\n3,4\t2,4,4,8,8,8\n5,6\t1,3,3,9,9,9\n";
  await t.step("mr3-map emits the cosine key both ways with zero-padded row ids", () => {
    const key = Math.round(40 / Math.sqrt(28 * 60) * 1e6);
    const key34 = Math.round(8 / Math.sqrt(8 * 8) * 1e6);
    const r = task(
      ["mr3-map", "--min-common", "2", "--similarity", "cosine", "--shrink", "0"],
      sums,
    );
    assert.deepEqual(r.lines, [
      `${pad(1)}\t2,${key}`,
      `${pad(2)}\t1,${key}`,
      `${pad(3)}\t4,${key34}`,
      `${pad(4)}\t3,${key34}`,
    ]);
  });

  await t.step("mr3-map computes shrunk pearson and drops zero-variance pairs", () => {
    // (3,4) has x = 2,2: variance 2·8 − 4² = 0.
    const sim = (4 * 40 - 10 * 14) / Math.sqrt((4 * 28 - 100) * (4 * 60 - 196));
    const key = Math.round(sim * 4 / (4 + 2) * 1e6);
    const r = task(
      ["mr3-map", "--min-common", "2", "--similarity", "pearson", "--shrink", "2"],
      sums,
    );
    assert.deepEqual(r.lines, [`${pad(1)}\t2,${key}`, `${pad(2)}\t1,${key}`]);
    assert.match(r.err, /reporter:counter:recsys,undefined-similarity,1/);
  });

  const rows = `${pad(1)}\t5,500000\n${pad(1)}\t3,500000\n${pad(1)}\t9,900000\n` +
    `${pad(1)}\t2,-100\n${pad(1)}\t4,500000\n${pad(7)}\t1,-250000\n`;
  await t.step("mr4-reduce keeps the K best by key, ties to the smaller id", () => {
    assert.deepEqual(task(["mr4-reduce", "--k", "3"], rows).lines, [
      "1\t9:0.900000,3:0.500000,4:0.500000",
      "7\t1:-0.250000",
    ]);
  });

  await t.step("mr4-combine keeps the same K entries in map output form", () => {
    assert.deepEqual(task(["mr4-combine", "--k", "3"], rows).lines, [
      `${pad(1)}\t9,900000`,
      `${pad(1)}\t3,500000`,
      `${pad(1)}\t4,500000`,
      `${pad(7)}\t1,-250000`,
    ]);
  });

  await t.step("a malformed line is counted and skipped", () => {
    const r = task(["mr2-reduce", "--min-common", "1"], "1,2\t4,6\n1,2\tx\n2,1\t3,3\n1,3\t1,1\n");
    assert.equal(r.code, 0);
    assert.deepEqual(r.lines, ["1,2\t1,4,6,24,16,36", "1,3\t1,1,1,1,1,1"]);
    // Counters may come in several increments (one per input chunk); they add up.
    const counted = [...r.err.matchAll(/reporter:counter:recsys,malformed,(\d+)/g)]
      .reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(counted, 2);
  });

  await t.step("a malformed ratings line is counted by mr1-map", () => {
    const r = task(["mr1-map", "--mode", "user"], "1,10,4.0,9\n1,10,4.3,9\n2,10,1,9\n");
    assert.deepEqual(r.lines, ["10\t1,8", "10\t2,2"]);
    assert.match(r.err, /reporter:counter:recsys,malformed,1\n/);
  });

  await t.step("with --strict a malformed line fails the task and names the line", () => {
    const r = task(["mr2-reduce", "--min-common", "1", "--strict"], "1,2\t4,6\n1,2\tx\n");
    assert.equal(r.code, 1);
    assert.match(r.err, /^mr2-reduce: input line 2: /);
    const m = task(["mr1-map", "--mode", "user", "--strict"], "1,10,4.0,9\nbad\n");
    assert.equal(m.code, 1);
    assert.match(m.err, /stdin:2: columns/);
  });

  await t.step("an unknown task or flag is a usage error", () => {
    assert.equal(task(["mr9-map"], "").code, 2);
    assert.equal(task(["mr4-reduce", "--mode", "user"], "").code, 2);
  });

  await t.step(
    "the real process writes counters on stderr and exits non-zero when strict",
    async () => {
      const cli = new URL("../mr/cli.ts", import.meta.url).pathname;
      const run = async (args: string[]) => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "--quiet", cli, ...args],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const w = child.stdin.getWriter();
        await w.write(encoder.encode("0000000001\t2,5\nnot a record\n"));
        await w.close();
        const o = await child.output();
        return { code: o.code, out: decoder.decode(o.stdout), err: decoder.decode(o.stderr) };
      };
      const lax = await run(["mr4-reduce", "--k", "2"]);
      assert.equal(lax.code, 0);
      assert.equal(lax.out, "1\t2:0.000005\n");
      assert.match(lax.err, /reporter:counter:recsys,malformed,1/);
      const strict = await run(["mr4-reduce", "--k", "2", "--strict"]);
      assert.equal(strict.code, 1);
      assert.equal(strict.out, "");
    },
  );
});

/** Java's `31·h + b` over the key bytes as int, masked, modulo n (BigInt for the overflow). */
function javaPartition(key: string, n: number): number {
  let h = 1n;
  for (const b of encoder.encode(key)) h = BigInt.asIntN(32, 31n * h + BigInt(b));
  return Number(h & 0x7fffffffn) % n;
}

Deno.test("Hadoop's hash partitioner", async (t) => {
  await t.step("partitions 'abc' by 31·(31·(31+97)+98)+99 = 126145", () => {
    const key = encoder.encode("abc");
    assert.equal(hadoopPartition(key, 0, 3, 1000000), 126145);
    assert.equal(hadoopPartition(key, 0, 3, 3), 126145 % 3);
  });

  await t.step("measures the skew of padded ids: 31 reducers warn, 40 do not", () => {
    for (const r of [31, 40]) {
      const counts = new Array(r).fill(0);
      for (let id = 1; id <= 3000; id++) counts[javaPartition(pad(id), r)]++;
      const skew = Math.max(...counts) / (3000 / r);
      assert.ok(Math.abs(rowKeySkew(r, 3000) - skew) < 1e-9, `reducers ${r}`);
      assert.equal(skew > 1.2, r === 31);
    }
  });

  await t.step("matches Java int overflow on long keys", () => {
    for (const key of [pad(1), pad(123456789), "123456,234567", "2147483647,17"]) {
      const bytes = encoder.encode(key);
      for (const n of [2, 3, 7]) {
        assert.equal(hadoopPartition(bytes, 0, bytes.length, n), javaPartition(key, n), key);
      }
    }
  });
});

Deno.test("a reducer gets keys split across partitions", async (t) => {
  await t.step("mr4-reduce over 3 hash partitions equals one reducer over all", () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const lines: string[] = [];
    for (let row = 1; row <= 60; row++) {
      for (let nid = 1; nid <= 20; nid++) {
        if (rand() < 0.5) lines.push(`${pad(row)}\t${nid},${Math.floor(rand() * 2000) - 1000}`);
      }
    }
    // Hadoop's order: bytewise by key, values in any order within a key.
    const sorted = lines.slice().sort(cmpKey);
    const whole = task(["mr4-reduce", "--k", "4"], sorted.join("\n") + "\n").lines;
    const parts: string[][] = [[], [], []];
    for (const l of sorted) parts[javaPartition(l.slice(0, 10), 3)].push(l);
    assert.ok(parts.every((p) => p.length > 0));
    const merged = parts
      .flatMap((p) => task(["mr4-reduce", "--k", "4"], p.join("\n") + "\n").lines)
      .sort((a, b) => Number(a.split("\t")[0]) - Number(b.split("\t")[0]));
    assert.deepEqual(merged, whole);
    assert.equal(whole.length, 60);
  });
});

function cmpKey(a: string, b: string): number {
  const ka = a.slice(0, a.indexOf("\t")), kb = b.slice(0, b.indexOf("\t"));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface RefOptions {
  mode: "user" | "item";
  k: number;
  minCommon: number;
  similarity: "cosine" | "pearson";
  shrink: number;
  maxRaters: number;
}

/**
 * The neighbor file by brute force: cap each group (the --max-raters rule
 * written plainly), then the shared plain reference over the kept rows.
 */
function referenceNeighbors(train: string, o: RefOptions): string {
  const groups = new Map<number, [number, number][]>();
  for (const line of train.split("\n")) {
    if (line === "") continue;
    const [u, m, r] = line.split(",").map(Number);
    const g = o.mode === "user" ? m : u, member = o.mode === "user" ? u : m;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push([member, r * 2]);
  }
  const rows = new Map<number, Map<number, number>>();
  for (const [g, members] of groups) {
    let kept = members;
    if (o.maxRaters > 0 && members.length > o.maxRaters) {
      kept = members.map((e) => [e, raterCapKey(g, e[0])] as const)
        .sort((a, b) => a[1] - b[1] || a[0][0] - b[0][0])
        .slice(0, o.maxRaters)
        .map(([e]) => e);
    }
    for (const [member, r] of kept) {
      if (!rows.has(member)) rows.set(member, new Map());
      rows.get(member)!.set(g, r);
    }
  }
  return referenceNeighborText(rows, o);
}

/** A small random ratings file with gappy ids (deterministic). */
function randomRatings(users: number, movies: number, density: number, seed: number): string {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  let text = "";
  for (let u = 0; u < users; u++) {
    for (let m = 0; m < movies; m++) {
      if (rand() < density) {
        text += `${3 * u + 1},${7 * m + 2},${(1 + Math.floor(rand() * 10)) / 2},${1000 + u}\n`;
      }
    }
  }
  return text;
}

Deno.test("the local pipeline matches the brute-force reference and neighbors", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mr_test_" });
  const small = `${dir}/small.csv`;
  await Deno.writeTextFile(small, randomRatings(40, 30, 0.4, 7));
  await synthesize(`${dir}/synth`, { scale: 0.001, seed: 3 });
  await splitRatings(`${dir}/synth/ratings.csv`, `${dir}/synth`, {
    testRatio: 0.2,
    seed: 42,
    skipInvalid: false,
  });
  const synthTrain = `${dir}/synth/ratings_train.csv`;

  const check = async (
    name: string,
    train: string,
    o: RefOptions,
    run: { reducers: number; maps: number },
  ) => {
    await t.step(name, async () => {
      const out = `${dir}/out-${o.mode}-${o.similarity}-${run.reducers}.txt`;
      const stats = await runLocalMr(train, out, { ...o, ...run, workers: 2 });
      const expected = referenceNeighbors(await Deno.readTextFile(train), o);
      assert.ok(expected.length > 0);
      const bytes = await Deno.readFile(out);
      assert.equal(decoder.decode(bytes), expected);
      // The in-process engine with the same options writes the same bytes.
      const engineOut = `${out}.neighbors`;
      await computeNeighborsFile(train, engineOut, { ...o, workers: 2, progress: false });
      assert.deepEqual(await Deno.readFile(engineOut), bytes);
      assert.equal(stats.jobs.length, 4);
      assert.equal(stats.jobs[0].reduceTasks, run.reducers);
      assert.equal(stats.jobs[2].reduceTasks, 0);
      assert.equal(stats.lines, expected.split("\n").length - 1);
    });
  };

  await check(
    "user mode, cosine, 3 reducers, uncapped",
    small,
    { mode: "user", k: 5, minCommon: 3, similarity: "cosine", shrink: 0, maxRaters: 0 },
    { reducers: 3, maps: 3 },
  );
  await check(
    "item mode, pearson with shrink, 1 reducer, uncapped",
    small,
    { mode: "item", k: 4, minCommon: 2, similarity: "pearson", shrink: 3, maxRaters: 0 },
    { reducers: 1, maps: 2 },
  );
  await check(
    "user mode, pearson, 1 reducer, synthetic data capped at 25 raters",
    synthTrain,
    { mode: "user", k: 10, minCommon: 3, similarity: "pearson", shrink: 0, maxRaters: 25 },
    { reducers: 1, maps: 2 },
  );
  await check(
    "item mode, cosine with shrink, 3 reducers, synthetic data capped at 25",
    synthTrain,
    { mode: "item", k: 10, minCommon: 3, similarity: "cosine", shrink: 5, maxRaters: 25 },
    { reducers: 3, maps: 3 },
  );

  await t.step("a malformed training line is counted, or fails the run when strict", async () => {
    const dirty = `${dir}/dirty.csv`;
    const clean = await Deno.readTextFile(small);
    const at = clean.indexOf("\n", clean.length >> 1) + 1;
    await Deno.writeTextFile(dirty, clean.slice(0, at) + "7,9,six,1\n" + clean.slice(at));
    const o: RefOptions = {
      mode: "item",
      k: 3,
      minCommon: 2,
      similarity: "cosine",
      shrink: 0,
      maxRaters: 0,
    };
    const out = `${dir}/dirty-out.txt`;
    const work = `${dir}/work`;
    const stats = await runLocalMr(dirty, out, {
      ...o,
      reducers: 2,
      maps: 2,
      workers: 2,
      workDir: work,
      keep: true,
    });
    assert.equal(stats.jobs[0].counters.malformed, 1);
    assert.equal(await Deno.readTextFile(out), referenceNeighbors(clean, o));
    // --keep leaves every job's part files in --work-dir.
    assert.equal(stats.workDir, work);
    for (const job of ["mr1", "mr2", "mr4"]) {
      assert.ok((await Deno.stat(`${work}/${job}/out/part-r-00001`)).isFile, job);
    }
    assert.ok((await Deno.stat(`${work}/mr3/out/part-m-00000`)).isFile);
    await assert.rejects(
      runLocalMr(dirty, `${dir}/strict-out.txt`, {
        ...o,
        reducers: 2,
        maps: 2,
        workers: 2,
        strict: true,
      }),
      (err: unknown) => err instanceof MrTaskError && /mr1 map/.test(err.task),
    );
    await assert.rejects(Deno.stat(`${dir}/strict-out.txt`), Deno.errors.NotFound);
  });

  await t.step(
    "a failing reduce task fails the run, naming the task and its exit code",
    async () => {
      const cli = new URL("../mr/cli.ts", import.meta.url).pathname;
      const script = `if [ "$1" = mr1-reduce ]; then echo boom >&2; exit 3; fi; ` +
        `exec "${Deno.execPath()}" run --quiet "${cli}" "$@"`;
      await assert.rejects(
        runLocalMr(small, `${dir}/failed.txt`, {
          mode: "user",
          k: 3,
          minCommon: 2,
          similarity: "cosine",
          shrink: 0,
          maxRaters: 0,
          reducers: 2,
          maps: 2,
          workers: 2,
          executable: ["sh", "-c", script, "recsys-mr"],
        }),
        (err: unknown) =>
          err instanceof MrTaskError && /^mr1 reduce [01]$/.test(err.task) && err.code === 3 &&
          err.stderr === "boom",
      );
      await assert.rejects(Deno.stat(`${dir}/failed.txt`), Deno.errors.NotFound);
    },
  );

  await Deno.remove(dir, { recursive: true });
});

Deno.test("emr-plan", async (t) => {
  const options = {
    bucket: "s3://bkt/run1/",
    mode: "item" as const,
    reducers: 8,
    k: 30,
    minCommon: 4,
    similarity: "pearson" as const,
    shrink: 10,
    maxRaters: 500,
  };
  const common = (job: string, title: string) => [
    "hadoop-streaming",
    "-files",
    "s3://bkt/run1/bin/recsys-mr",
    "-D",
    `mapreduce.job.name=recsys ${job} (item): ${title}`,
    "-D",
    "mapreduce.map.output.compress=true",
  ];

  await t.step("gives each job its exact hadoop-streaming arguments", () => {
    const steps = emrSteps(options);
    assert.deepEqual(steps.map((s) => s.Args), [
      [
        ...common("mr1", "group ratings by user, emit rated movie pairs"),
        "-mapper",
        "recsys-mr mr1-map --mode item",
        "-reducer",
        "recsys-mr mr1-reduce --mode item --max-raters 500",
        "-numReduceTasks",
        "8",
        "-input",
        "s3://bkt/run1/input/ratings_train.csv",
        "-output",
        "hdfs:///recsys/item/mr1",
      ],
      [
        ...common("mr2", "sum co-ratings per pair"),
        "-mapper",
        "recsys-mr mr2-map",
        "-combiner",
        "recsys-mr mr2-combine",
        "-reducer",
        "recsys-mr mr2-reduce --min-common 4",
        "-numReduceTasks",
        "8",
        "-input",
        "hdfs:///recsys/item/mr1",
        "-output",
        "hdfs:///recsys/item/mr2",
      ],
      [
        ...common("mr3", "pearson similarity per pair, both directions"),
        "-mapper",
        "recsys-mr mr3-map --min-common 4 --similarity pearson --shrink 10",
        "-numReduceTasks",
        "0",
        "-input",
        "hdfs:///recsys/item/mr2",
        "-output",
        "hdfs:///recsys/item/mr3",
      ],
      [
        ...common("mr4", "top 30 neighbors per item"),
        "-mapper",
        "recsys-mr mr4-map",
        "-combiner",
        "recsys-mr mr4-combine --k 30",
        "-reducer",
        "recsys-mr mr4-reduce --k 30",
        "-numReduceTasks",
        "8",
        "-input",
        "hdfs:///recsys/item/mr3",
        "-output",
        "s3://bkt/run1/output/item",
      ],
    ]);
    for (const s of steps) {
      assert.equal(s.Jar, "command-runner.jar");
      assert.equal(s.Type, "CUSTOM_JAR");
      assert.equal(s.ActionOnFailure, "CANCEL_AND_WAIT");
    }
  });

  await t.step("--strict reaches every task", () => {
    const args = emrSteps({ ...options, strict: true }).flatMap((s) => s.Args);
    const tasks = args.filter((a) => a.startsWith("recsys-mr "));
    assert.equal(tasks.length, 9);
    assert.ok(tasks.every((a) => a.endsWith(" --strict")));
  });

  await t.step("prints upload, cluster, and merge commands; Graviton builds for arm64", () => {
    const cmds = emrCommands({
      ...options,
      train: "data/ratings_train.csv",
      steps: "steps.json",
      instanceType: "r7g.2xlarge",
      coreNodes: 6,
    });
    assert.equal(cmds[0], "deno task build:emr --arm64");
    assert.ok(cmds.includes("aws s3 cp dist/recsys-mr s3://bkt/run1/bin/recsys-mr"));
    assert.ok(
      cmds.includes("aws s3 cp data/ratings_train.csv s3://bkt/run1/input/ratings_train.csv"),
    );
    const create = cmds.find((c) => c.startsWith("aws emr create-cluster"))!;
    assert.match(create, /InstanceGroupType=CORE,InstanceCount=6,InstanceType=r7g\.2xlarge/);
    assert.match(create, /--steps file:\/\/steps\.json/);
    assert.ok(cmds.some((c) => c.includes("aws emr add-steps") && c.includes("file://steps.json")));
    assert.match(cmds.at(-1)!, /sort -m .* -k1,1n mr-output-item\/part-\* > item_topk_neighbors/);
  });

  await t.step("rejects a bucket that is not s3://", () => {
    assert.throws(() => normalizeBucket("my-bucket/prefix"), /s3:\/\/BUCKET/);
    assert.equal(normalizeBucket("s3://b-1/x/y/"), "s3://b-1/x/y");
  });

  await t.step("the command writes steps.json equal to the plan", async () => {
    const dir = await Deno.makeTempDir({ prefix: "mr_emr_" });
    const argv = [
      "--bucket",
      "s3://bkt/run1",
      "--mode",
      "item",
      "--reducers",
      "8",
      "--k",
      "30",
      "--min-common",
      "4",
      "--similarity",
      "pearson",
      "--shrink",
      "10",
      "--max-raters",
      "500",
      "--steps",
      `${dir}/steps.json`,
    ];
    const log = console.log;
    console.log = () => {};
    try {
      await emrPlanCommand.run(parseFlags("mr emr-plan", emrPlanCommand.flags, argv));
    } finally {
      console.log = log;
    }
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/steps.json`)), emrSteps(options));
    await Deno.remove(dir, { recursive: true });
  });
});

const DENORT_BIN = Deno.env.get("DENORT_BIN");
if (!DENORT_BIN) {
  console.log(
    "mr_test: skipping the build:emr compile test: DENORT_BIN is not set, and deno compile " +
      "cannot download the denort runtime from this machine",
  );
}

Deno.test({
  name: "build:emr compiles a binary that runs the pipeline like deno run does",
  ignore: !DENORT_BIN,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mr_build_" });
    const built = await buildEmr({ arm64: false, out: `${dir}/recsys-mr` });
    assert.equal(built.target, "x86_64-unknown-linux-gnu");
    const train = `${dir}/train.csv`;
    await Deno.writeTextFile(train, randomRatings(30, 20, 0.5, 11));
    const o: RefOptions = {
      mode: "user",
      k: 5,
      minCommon: 2,
      similarity: "cosine",
      shrink: 0,
      maxRaters: 0,
    };
    await runLocalMr(train, `${dir}/out.txt`, {
      ...o,
      reducers: 2,
      maps: 2,
      workers: 2,
      executable: [built.path],
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/out.txt`),
      referenceNeighbors(await Deno.readTextFile(train), o),
    );
    await Deno.remove(dir, { recursive: true });
  },
});
