/**
 * The Hadoop Streaming pipeline: each task on fixed lines, Hadoop's
 * partitioner, reducers fed keys split across partitions, the whole local
 * pipeline against a plain brute-force reference and byte for byte against
 * the in-process `neighbors` engine (both modes, both similarities, 1 and 3
 * reducers), malformed input, emr-plan and build:emr: the bundle artifact run
 * as Hadoop Streaming runs it, its bootstrap action, and the AWS CLI's own
 * validation of the steps and bootstrap files.
 */
import { absent } from "./fixtures/services.ts";
import assert from "node:assert/strict";
import { raterCapKey } from "../lib/hash.ts";
import { parseFlags } from "../lib/command.ts";
import { runTaskCli } from "../mr/task.ts";
import { buildEmr } from "../mr/build.ts";
import { type DenoPin, installDenoScript, integrityHex, PINNED_DENO } from "../mr/deno_install.ts";
import {
  createClusterArgs,
  emrBootstrapActions,
  emrCommands,
  emrPlanCommand,
  emrSteps,
  normalizeBucket,
} from "../mr/emr_plan.ts";
import { mrCommand, MrTaskError, runLocalMr } from "../mr/mod.ts";
import { parseStreamingArgs, StreamingArgsError } from "../mr/streaming.ts";
import { hadoopPartition, rowKeySkew } from "../mr/partitioner.ts";
import type { SyncReader, SyncWriter } from "../mr/line_io.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { referenceNeighborText } from "./fixtures/reference_neighbors.ts";
import type { Mode } from "../lib/mode.ts";
import type { NeighborParams } from "../lib/neighbors/options.ts";
import type { SimilarityKind } from "../lib/similarity.ts";

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
      const cli = new URL("../mr/task.ts", import.meta.url).pathname;
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

type RefOptions = NeighborParams;

/** Neighbor options: min-common 3, no shrinkage, no cap unless `rest` says otherwise. */
const opts = (
  mode: Mode,
  similarity: SimilarityKind,
  k: number,
  rest: Partial<RefOptions>,
): RefOptions => ({
  mode,
  similarity,
  k,
  minCommon: 3,
  shrink: 0,
  maxRaters: 0,
  ...rest,
});

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
  const synthTrain = await synthTrainFile(dir, 0.001, 3);

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

  const cases: [string, string, RefOptions, { reducers: number; maps: number }][] = [
    [
      "user mode, cosine, 3 reducers, uncapped",
      small,
      opts("user", "cosine", 5, {}),
      { reducers: 3, maps: 3 },
    ],
    [
      "item mode, pearson with shrink, 1 reducer, uncapped",
      small,
      opts("item", "pearson", 4, { minCommon: 2, shrink: 3 }),
      { reducers: 1, maps: 2 },
    ],
    [
      "user mode, pearson, 1 reducer, synthetic data capped at 25 raters",
      synthTrain,
      opts("user", "pearson", 10, { maxRaters: 25 }),
      { reducers: 1, maps: 2 },
    ],
    [
      "item mode, cosine with shrink, 3 reducers, synthetic data capped at 25",
      synthTrain,
      opts("item", "cosine", 10, { shrink: 5, maxRaters: 25 }),
      { reducers: 3, maps: 3 },
    ],
  ];
  for (const [name, train, o, run] of cases) await check(name, train, o, run);

  await t.step("a malformed training line is counted, or fails the run when strict", async () => {
    const dirty = `${dir}/dirty.csv`;
    const clean = await Deno.readTextFile(small);
    const at = clean.indexOf("\n", clean.length >> 1) + 1;
    await Deno.writeTextFile(dirty, clean.slice(0, at) + "7,9,six,1\n" + clean.slice(at));
    const o = opts("item", "cosine", 3, { minCommon: 2 });
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
      const cli = new URL("../mr/task.ts", import.meta.url).pathname;
      const script = `if [ "$1" = mr1-reduce ]; then echo boom >&2; exit 3; fi; ` +
        `exec "${Deno.execPath()}" run --quiet "${cli}" "$@"`;
      await assert.rejects(
        runLocalMr(small, `${dir}/failed.txt`, {
          ...opts("user", "cosine", 3, { minCommon: 2 }),
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

/** Runs `f` with console.log silenced (commands print their progress). */
async function quietly(f: () => unknown): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    await f();
  } finally {
    console.log = log;
  }
}

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
    artifact: "dist/recsys-mr",
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
  const io = (reducers: string, input: string, output: string) => [
    "-numReduceTasks",
    reducers,
    "-input",
    input,
    "-output",
    output,
  ];

  await t.step("gives each job its exact hadoop-streaming arguments for the binary", () => {
    const steps = emrSteps(options);
    assert.deepEqual(steps.map((s) => s.Args), [
      [
        ...common("mr1", "group ratings by user, emit rated movie pairs"),
        "-mapper",
        "recsys-mr mr1-map --mode item",
        "-reducer",
        "recsys-mr mr1-reduce --mode item --max-raters 500",
        ...io("8", "s3://bkt/run1/input/ratings_train.csv", "hdfs:///recsys/item/mr1"),
      ],
      [
        ...common("mr2", "sum co-ratings per pair"),
        "-mapper",
        "recsys-mr mr2-map",
        "-combiner",
        "recsys-mr mr2-combine",
        "-reducer",
        "recsys-mr mr2-reduce --min-common 4",
        ...io("8", "hdfs:///recsys/item/mr1", "hdfs:///recsys/item/mr2"),
      ],
      [
        ...common("mr3", "pearson similarity per pair, both directions"),
        "-mapper",
        "recsys-mr mr3-map --min-common 4 --similarity pearson --shrink 10",
        ...io("0", "hdfs:///recsys/item/mr2", "hdfs:///recsys/item/mr3"),
      ],
      [
        ...common("mr4", "top 30 neighbors per item"),
        "-mapper",
        "recsys-mr mr4-map",
        "-combiner",
        "recsys-mr mr4-combine --k 30",
        "-reducer",
        "recsys-mr mr4-reduce --k 30",
        ...io("8", "hdfs:///recsys/item/mr3", "s3://bkt/run1/output/item"),
      ],
    ]);
    for (const s of steps) {
      assert.equal(s.Jar, "command-runner.jar");
      assert.equal(s.Type, "CUSTOM_JAR");
      assert.equal(s.ActionOnFailure, "CANCEL_AND_WAIT");
    }
  });

  await t.step("runs the bundle with the node's deno, its cache in the task directory", () => {
    const steps = emrSteps({ ...options, artifact: "dist/recsys-mr.js" });
    assert.deepEqual(steps[1].Args, [
      "hadoop-streaming",
      "-files",
      "s3://bkt/run1/bin/recsys-mr.js",
      "-D",
      "mapreduce.job.name=recsys mr2 (item): sum co-ratings per pair",
      "-D",
      "mapreduce.map.output.compress=true",
      "-cmdenv",
      "DENO_DIR=.deno",
      "-cmdenv",
      "DENO_NO_UPDATE_CHECK=1",
      "-mapper",
      "deno run --quiet --no-config recsys-mr.js mr2-map",
      "-combiner",
      "deno run --quiet --no-config recsys-mr.js mr2-combine",
      "-reducer",
      "deno run --quiet --no-config recsys-mr.js mr2-reduce --min-common 4",
      ...io("8", "hdfs:///recsys/item/mr1", "hdfs:///recsys/item/mr2"),
    ]);
    assert.deepEqual(emrBootstrapActions({ ...options, artifact: "dist/recsys-mr.js" }), [
      { Name: "install Deno 2.9.6", Path: "s3://bkt/run1/bin/install-deno.sh", Args: [] },
    ]);
    assert.deepEqual(emrBootstrapActions(options), []);
  });

  await t.step("reads the step arguments back as Hadoop Streaming does", () => {
    const job = parseStreamingArgs(emrSteps({ ...options, artifact: "dist/recsys-mr.js" })[0].Args);
    assert.deepEqual(job.files, [{ uri: "s3://bkt/run1/bin/recsys-mr.js", name: "recsys-mr.js" }]);
    assert.deepEqual(job.env, { DENO_DIR: ".deno", DENO_NO_UPDATE_CHECK: "1" });
    assert.deepEqual(job.mapper, [
      "deno",
      "run",
      "--quiet",
      "--no-config",
      "recsys-mr.js",
      "mr1-map",
      "--mode",
      "item",
    ]);
    assert.equal(job.combiner, undefined);
    assert.equal(job.numReduceTasks, 8);
    assert.deepEqual(job.input, ["s3://bkt/run1/input/ratings_train.csv"]);
    assert.equal(job.output, "hdfs:///recsys/item/mr1");
    const mapOnly = parseStreamingArgs(emrSteps(options)[2].Args);
    assert.equal(mapOnly.numReduceTasks, 0);
    assert.equal(mapOnly.reducer, undefined);
  });

  await t.step("refuses arguments Hadoop Streaming would not take", () => {
    const base = ["hadoop-streaming", "-mapper", "cat", "-input", "in", "-output", "out"];
    assert.throws(
      () => parseStreamingArgs([...base, "-files", "s3://b/x"]),
      (e: unknown) => e instanceof StreamingArgsError && e.arg === "-files",
    );
    assert.throws(() => parseStreamingArgs([...base, "-mapperr", "cat"]), /unknown option/);
    assert.throws(() => parseStreamingArgs(base.slice(0, 5)), /-output: missing/);
    assert.throws(() => parseStreamingArgs(["hadoop-streaming", "-mapper", "sh -c 'x'"]), /quoted/);
  });

  await t.step("--strict reaches every task", () => {
    const args = emrSteps({ ...options, strict: true }).flatMap((s) => s.Args);
    const tasks = args.filter((a) => a.startsWith("recsys-mr "));
    assert.equal(tasks.length, 9);
    assert.ok(tasks.every((a) => a.endsWith(" --strict")));
  });

  const cluster = {
    train: "data/ratings_train.csv",
    steps: "steps.json",
    bootstrap: "bootstrap-actions.json",
    instanceType: "r7g.2xlarge",
    coreNodes: 6,
  };
  await t.step("prints upload, cluster, and merge commands; Graviton builds for arm64", () => {
    const cmds = emrCommands({ ...options, ...cluster });
    assert.equal(cmds[0], "DENORT_BIN=/path/to/denort deno task build:emr --arm64");
    assert.ok(cmds.includes("aws s3 cp dist/recsys-mr s3://bkt/run1/bin/recsys-mr"));
    assert.ok(
      cmds.includes("aws s3 cp data/ratings_train.csv s3://bkt/run1/input/ratings_train.csv"),
    );
    const create = cmds.find((c) => c.startsWith("aws emr create-cluster"))!;
    assert.match(create, /InstanceGroupType=CORE,InstanceCount=6,InstanceType=r7g\.2xlarge/);
    assert.match(create, /--steps file:\/\/steps\.json/);
    assert.ok(cmds.some((c) => c.includes("aws emr add-steps") && c.includes("file://steps.json")));
    assert.match(cmds.at(-1)!, /sort -m .* -k1,1n mr-output-item\/part-\* > item_topk_neighbors/);
    assert.ok(!create.includes("--bootstrap-actions"));
  });

  await t.step("for the bundle, uploads the bootstrap action and names it at cluster start", () => {
    const cmds = emrCommands({ ...options, ...cluster, artifact: "dist/recsys-mr.js" });
    assert.equal(cmds[0], "deno task build:emr --bundle");
    assert.ok(cmds.includes("aws s3 cp dist/recsys-mr.js s3://bkt/run1/bin/recsys-mr.js"));
    assert.ok(cmds.includes("aws s3 cp dist/install-deno.sh s3://bkt/run1/bin/install-deno.sh"));
    const create = cmds.find((c) => c.startsWith("aws emr create-cluster"))!;
    assert.match(
      create,
      /--bootstrap-actions file:\/\/bootstrap-actions\.json --steps file:\/\/steps\.json$/,
    );
  });

  await t.step("rejects a bucket that is not s3://", () => {
    assert.throws(() => normalizeBucket("my-bucket/prefix"), /s3:\/\/BUCKET/);
    assert.equal(normalizeBucket("s3://b-1/x/y/"), "s3://b-1/x/y");
  });

  await t.step("the command writes steps.json equal to the plan", async () => {
    const dir = await Deno.makeTempDir({ prefix: "mr_emr_" });
    const argv = [
      ..."--bucket s3://bkt/run1 --mode item --reducers 8 --k 30 --min-common 4".split(" "),
      ..."--similarity pearson --shrink 10 --max-raters 500".split(" "),
      ...["--steps", `${dir}/steps.json`, "--bootstrap", `${dir}/bootstrap.json`],
    ];
    await quietly(() => emrPlanCommand.run(parseFlags("mr emr-plan", emrPlanCommand.flags, argv)));
    const bundle = { ...options, artifact: "dist/recsys-mr.js" };
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/steps.json`)), emrSteps(bundle));
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${dir}/bootstrap.json`)),
      emrBootstrapActions(bundle),
    );
    await Deno.remove(dir, { recursive: true });
  });
});

/** Synthetic ratings split 80/20 into `dir` (the training file's path). */
async function synthTrainFile(dir: string, scale: number, seed = 5): Promise<string> {
  await synthesize(`${dir}/synth`, { scale, seed });
  await splitRatings(`${dir}/synth/ratings.csv`, `${dir}/synth`, {
    testRatio: 0.2,
    seed: 42,
    skipInvalid: false,
  });
  return `${dir}/synth/ratings_train.csv`;
}

Deno.test("build:emr without DENORT_BIN: the bundle runs as Hadoop Streaming runs it", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mr_bundle_" });
  const built = await buildEmr({ bundle: true, arm64: false, outDir: `${dir}/dist` });
  assert.equal(built.kind, "bundle");
  const train = await synthTrainFile(dir, 0.001);

  await t.step(
    "the bundle is one file with no imports and no path of the source tree",
    async () => {
      assert.equal(built.path, `${dir}/dist/recsys-mr.js`);
      const text = await Deno.readTextFile(built.path);
      assert.ok(!/^\s*import[\s{*]|\bimport\(/m.test(text), "the bundle imports a module");
      const root = new URL("..", import.meta.url).pathname;
      assert.ok(!text.includes(root), `the bundle mentions ${root}`);
    },
  );

  for (const mode of ["user", "item"] as const) {
    await t.step(
      `recsys mr --artifact gives the neighbors file's bytes in ${mode} mode`,
      async () => {
        const o = { mode, k: 10, minCommon: 3, similarity: "pearson", shrink: 5, maxRaters: 25 };
        const out = `${dir}/mr-${mode}.txt`, work = `${dir}/work-${mode}`;
        const argv = [
          "--train",
          train,
          "--mode",
          mode,
          "--out",
          out,
          "--k",
          "10",
          "--min-common",
          "3",
          "--similarity",
          "pearson",
          "--shrink",
          "5",
          "--max-raters",
          "25",
          "--reducers",
          "3",
          "--maps",
          "3",
          "--workers",
          "2",
          "--artifact",
          built.path,
          "--work-dir",
          work,
          "--keep",
        ];
        await quietly(() => mrCommand.run(parseFlags("mr", mrCommand.flags, argv)));
        const engine = `${dir}/neighbors-${mode}.txt`;
        await computeNeighborsFile(train, engine, {
          ...o,
          similarity: "pearson",
          workers: 2,
          progress: false,
        });
        const bytes = await Deno.readFile(out);
        assert.ok(bytes.length > 1000);
        assert.deepEqual(bytes, await Deno.readFile(engine));
        // Each task ran in its own directory holding the -files link and its Deno cache.
        const task = `${work}/mr4/task-r-00002`;
        const link = await Deno.lstat(`${task}/recsys-mr.js`);
        assert.ok(link.isSymlink);
        assert.equal(await Deno.realPath(`${task}/recsys-mr.js`), `${work}/filecache/recsys-mr.js`);
        assert.equal((await Deno.stat(`${work}/filecache/recsys-mr.js`)).mode! & 0o777, 0o555);
        assert.ok((await Deno.stat(`${task}/.deno`)).isDirectory);
      },
    );
  }

  await t.step("a binary artifact is started from the task directory by its name", async () => {
    // A stand-in for the compiled recsys-mr: a script running the bundle.
    const fake = `${dir}/fake/recsys-mr`;
    await Deno.mkdir(`${dir}/fake`);
    await Deno.writeTextFile(
      fake,
      `#!/bin/sh\nexec deno run --quiet --no-config ${built.path} "$@"\n`,
      { mode: 0o644 },
    );
    const small = `${dir}/small.csv`;
    await Deno.writeTextFile(small, randomRatings(30, 20, 0.5, 11));
    const o = opts("item", "cosine", 4, { minCommon: 2 });
    const work = `${dir}/work-binary`;
    await runLocalMr(small, `${dir}/binary.txt`, {
      ...o,
      reducers: 2,
      maps: 2,
      workers: 2,
      artifact: fake,
      workDir: work,
      keep: true,
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/binary.txt`),
      referenceNeighbors(await Deno.readTextFile(small), o),
    );
    // Not executable as uploaded; the localized copy is, as Hadoop makes it.
    assert.equal((await Deno.stat(`${work}/filecache/recsys-mr`)).mode! & 0o777, 0o555);
  });

  await t.step(
    "a task of the artifact cannot read files: it runs without permissions",
    async () => {
      const probe = `${dir}/probe/recsys-mr.js`;
      await Deno.mkdir(`${dir}/probe`);
      await Deno.writeTextFile(probe, `Deno.readTextFileSync(${JSON.stringify(train)});\n`);
      await assert.rejects(
        runLocalMr(train, `${dir}/probe.txt`, {
          mode: "user",
          k: 3,
          minCommon: 2,
          similarity: "cosine",
          shrink: 0,
          maxRaters: 0,
          reducers: 1,
          maps: 1,
          workers: 1,
          artifact: probe,
        }),
        (err: unknown) =>
          err instanceof MrTaskError && /NotCapable|Requires read access/.test(err.stderr),
      );
    },
  );

  await Deno.remove(dir, { recursive: true });
});

Deno.test("install-deno.sh, the bootstrap action of the bundle", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mr_install_" });
  // A stand-in for the npm tarball: package/deno prints a version line as Deno does.
  await Deno.mkdir(`${dir}/pkg/package`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/pkg/package/deno`,
    '#!/bin/sh\necho "deno 9.9.9 (stable, release, fake)"\n',
    { mode: 0o755 },
  );
  const tgz = `${dir}/deno-fake.tgz`;
  const tar = await new Deno.Command("tar", { args: ["-czf", tgz, "-C", `${dir}/pkg`, "package"] })
    .output();
  assert.ok(tar.success);
  const sha512 = async (bytes: Uint8Array) =>
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-512", bytes as Uint8Array<ArrayBuffer>)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
  const machine = Deno.build.arch;
  const pin = (hash: string): DenoPin => ({
    version: "9.9.9",
    builds: [{ machine, npmPackage: "@deno/fake", url: tgz, sha512: hash }],
  });
  const install = async (script: string, name: string, args: string[] = []) => {
    await Deno.writeTextFile(`${dir}/${name}.sh`, script);
    const r = await new Deno.Command("bash", {
      args: [`${dir}/${name}.sh`, ...args],
      env: { RECSYS_DENO_HOME: `${dir}/${name}/home`, RECSYS_DENO_LINK: `${dir}/${name}/deno` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: r.code, out: decoder.decode(r.stdout), err: decoder.decode(r.stderr) };
  };

  await t.step("installs a tarball with the pinned checksum and links its deno", async () => {
    const r = await install(installDenoScript(pin(await sha512(await Deno.readFile(tgz)))), "good");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /is deno 9\.9\.9 /);
    const v = await new Deno.Command(`${dir}/good/deno`, { args: ["--version"] }).output();
    assert.equal(decoder.decode(v.stdout), "deno 9.9.9 (stable, release, fake)\n");
  });

  await t.step("refuses a tarball with another checksum and installs nothing", async () => {
    const r = await install(installDenoScript(pin("0".repeat(128))), "bad");
    assert.equal(r.code, 1);
    assert.match(r.err, /checksum mismatch/);
    await assert.rejects(Deno.lstat(`${dir}/bad/deno`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${dir}/bad/home`), Deno.errors.NotFound);
  });

  await t.step("a copy of the tarball (S3 mirror) is checked against the same pin", async () => {
    const copy = `${dir}/copy.tgz`;
    await Deno.writeFile(copy, new Uint8Array([...await Deno.readFile(tgz), 0]));
    const r = await install(
      installDenoScript(pin(await sha512(await Deno.readFile(tgz)))),
      "copy",
      [copy],
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /checksum mismatch for .*copy\.tgz/);
  });

  await t.step("a deno reporting another version fails the bootstrap", async () => {
    const other = { ...pin(await sha512(await Deno.readFile(tgz))), version: "2.9.6" };
    const r = await install(installDenoScript(other), "version");
    assert.equal(r.code, 1);
    assert.match(r.err, /expected deno 2\.9\.6/);
  });

  await t.step("the shipped script pins Deno 2.9.6 for x86_64 and aarch64 nodes", async () => {
    const script = installDenoScript();
    for (const b of PINNED_DENO.builds) {
      assert.ok(script.includes(`url='${b.url}'`));
      assert.ok(script.includes(`sha512='${b.sha512}'`));
      assert.match(b.sha512, /^[0-9a-f]{128}$/);
    }
    await Deno.writeTextFile(`${dir}/shipped.sh`, script);
    const syntax = await new Deno.Command("bash", { args: ["-n", `${dir}/shipped.sh`] }).output();
    assert.ok(syntax.success);
  });

  await Deno.remove(dir, { recursive: true });
});

/** The registry's integrity of an npm package version, or why it could not be read. */
async function npmIntegrity(spec: string): Promise<string | Error> {
  try {
    const r = await new Deno.Command("npm", {
      args: ["view", spec, "dist.integrity"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) return new Error(decoder.decode(r.stderr).trim().split("\n")[0]);
    return decoder.decode(r.stdout).trim();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

Deno.test("the pinned Deno checksums are the npm registry's", async (t) => {
  for (const b of PINNED_DENO.builds) {
    const spec = `${b.npmPackage}@${PINNED_DENO.version}`;
    const integrity = await npmIntegrity(spec);
    await t.step({
      name: `${spec} (${b.machine})`,
      ignore: absent(
        `${spec} checksum`,
        integrity instanceof Error ? `npm view failed: ${integrity.message}` : null,
      ),
      fn: () => {
        if (integrity instanceof Error) throw integrity;
        assert.equal(integrityHex(integrity), b.sha512);
      },
    });
  }
});

/** The Debian package's `aws` (or one on PATH), or null. */
function findAws(): string | null {
  const dirs = ["/usr/bin", ...(Deno.env.get("PATH") ?? "").split(":")];
  for (const d of dirs) {
    try {
      if (d && Deno.statSync(`${d}/aws`).isFile) return `${d}/aws`;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const AWS = findAws();
const AWS_TEST = "the AWS CLI's own validation accepts the plan's files and rejects broken ones";

Deno.test({
  name: AWS_TEST,
  ignore: absent(AWS_TEST, AWS ? null : "no aws (apt-get install awscli)"),
}, async (t) => {
  assert.ok(AWS, "aws is missing and RECSYS_REQUIRE_SERVICES=1");
  const dir = await Deno.makeTempDir({ prefix: "mr_aws_" });
  // Dummy credentials and a closed loopback port: nothing leaves the machine.
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: `${dir}/no-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
    AWS_PAGER: "",
    HOME: dir,
  };
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("AWS_") && !(k in env)) env[k] = v;
  }
  const aws = async (args: string[]) => {
    const r = await new Deno.Command(AWS!, {
      args: [...args, "--endpoint-url", "http://127.0.0.1:9"],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return decoder.decode(r.stderr).trim();
  };
  const CONNECT = /Could not connect to the endpoint URL: "http:\/\/127\.0\.0\.1:9\/"$/;
  const INVALID = /Parameter validation failed:/;
  // The files emr-plan writes (its test above holds the command to these functions).
  const plan = async (artifact: string) => {
    const o = {
      bucket: "s3://bkt/run1",
      mode: "user" as const,
      reducers: 48,
      k: 50,
      minCommon: 5,
      similarity: "pearson" as const,
      shrink: 100,
      maxRaters: 1000,
      strict: true,
      artifact,
      train: "data/ratings_train.csv",
      steps: `${dir}/steps.json`,
      bootstrap: `${dir}/bootstrap.json`,
      instanceType: "r6i.2xlarge",
      coreNodes: 4,
    };
    await Deno.writeTextFile(o.steps, JSON.stringify(emrSteps(o)));
    await Deno.writeTextFile(o.bootstrap, JSON.stringify(emrBootstrapActions(o)));
    return o;
  };

  const bundle = await plan("dist/recsys-mr.js");
  const addSteps = (file: string) =>
    aws(["emr", "add-steps", "--cluster-id", "j-TEST", "--steps", `file://${file}`]);
  const createCluster = (o: typeof bundle) => aws(createClusterArgs(o));

  await t.step("add-steps accepts the bundle's steps.json", async () => {
    assert.match(await addSteps(`${dir}/steps.json`), CONNECT);
  });

  await t.step("add-steps rejects a steps file whose Args is one string", async () => {
    const steps = JSON.parse(await Deno.readTextFile(`${dir}/steps.json`));
    steps[0].Args = steps[0].Args.join(" ");
    await Deno.writeTextFile(`${dir}/broken-steps.json`, JSON.stringify(steps));
    const err = await addSteps(`${dir}/broken-steps.json`);
    assert.match(err, INVALID);
    assert.match(err, /Invalid type for parameter \[0\]\.Args/);
  });

  await t.step("create-cluster accepts the bootstrap action and the steps", async () => {
    assert.match(await createCluster(bundle), CONNECT);
  });

  await t.step("create-cluster rejects a bootstrap action without its Path", async () => {
    const actions = JSON.parse(await Deno.readTextFile(`${dir}/bootstrap.json`));
    delete actions[0].Path;
    await Deno.writeTextFile(`${dir}/broken-bootstrap.json`, JSON.stringify(actions));
    const err = await createCluster({ ...bundle, bootstrap: `${dir}/broken-bootstrap.json` });
    assert.match(err, INVALID);
    assert.match(err, /Missing required parameter in \[0\]: "Path"/);
  });

  await t.step("the binary's steps pass too, with no bootstrap action", async () => {
    const binary = await plan("dist/recsys-mr");
    assert.match(await addSteps(`${dir}/steps.json`), CONNECT);
    const args = createClusterArgs(binary);
    assert.ok(!args.includes("--bootstrap-actions"));
    assert.match(await aws(args), CONNECT);
  });

  await Deno.remove(dir, { recursive: true });
});

const DENORT_BIN = Deno.env.get("DENORT_BIN");
if (!DENORT_BIN) {
  console.log(
    "mr_test: skipping the build:emr compile test: DENORT_BIN is not set, and deno compile " +
      "cannot download the denort runtime from this machine",
  );
}

Deno.test({
  name: "build:emr with DENORT_BIN compiles a binary that runs as Hadoop Streaming runs it",
  ignore: !DENORT_BIN,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mr_build_" });
    const built = await buildEmr({ arm64: false, outDir: `${dir}/dist` });
    assert.equal(built.kind, "binary");
    assert.equal(built.kind === "binary" && built.target, "x86_64-unknown-linux-gnu");
    const train = `${dir}/train.csv`;
    await Deno.writeTextFile(train, randomRatings(30, 20, 0.5, 11));
    const o = opts("user", "cosine", 5, { minCommon: 2 });
    await runLocalMr(train, `${dir}/out.txt`, {
      ...o,
      reducers: 2,
      maps: 2,
      workers: 2,
      artifact: built.path,
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/out.txt`),
      referenceNeighbors(await Deno.readTextFile(train), o),
    );
    await Deno.remove(dir, { recursive: true });
  },
});
