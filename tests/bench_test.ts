import assert from "node:assert/strict";
import { BENCHMARKS, type BenchRow, runBenchmarks } from "../bench/bench.ts";
import { benchContext } from "../bench/context.ts";

Deno.test("bench", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "bench-test-" });
  const results = `${root}/out/results.json`;
  try {
    await t.step("prepares the split of a scale once and reuses it", async () => {
      const ctx = await benchContext(0.001, root);
      assert.equal(ctx.dir, `${root}/scale-0.001`);
      const train = await Deno.readTextFile(ctx.files.train);
      assert.ok(train.split("\n").length > 100, "a training split with ratings");
      const stamp = (await Deno.stat(ctx.files.test)).mtime;
      await benchContext(0.001, root);
      assert.deepEqual((await Deno.stat(ctx.files.test)).mtime, stamp);
      let made = 0;
      const make = async (p: string) => {
        made++;
        await Deno.writeTextFile(p, "x");
      };
      assert.equal(await ctx.ensure("extra.txt", make), `${ctx.dir}/extra.txt`);
      await ctx.ensure("extra.txt", make);
      assert.equal(made, 1);
    });

    await t.step("runs an entry in a child process and records its row", async () => {
      const kept: BenchRow = {
        name: "split",
        scale: 0.5,
        seconds: 1,
        work: 1,
        unit: "ratings",
        peakRssMiB: 1,
        date: "2026-01-01T00:00:00.000Z",
      };
      await Deno.mkdir(`${root}/out`);
      await Deno.writeTextFile(results, JSON.stringify([kept]));
      const rows = await runBenchmarks({ scale: 0.001, names: ["parse"], root, results });
      assert.equal(rows.length, 1);
      const row = rows[0];
      const { size } = await Deno.stat(`${root}/scale-0.001/ratings.csv`);
      assert.equal(row.name, "parse");
      assert.equal(row.scale, 0.001);
      assert.equal(row.unit, "MB");
      assert.equal(row.work, size / 1e6);
      assert.ok(row.seconds > 0);
      const timed = await Deno.stat("/usr/bin/time").then(() => true, () => false);
      if (timed) assert.ok(row.peakRssMiB > 0, "the child's peak RSS, from GNU time");
      const lines = (await Deno.readTextFile(`${root}/scale-0.001/ratings.csv`)).trim().split("\n");
      assert.equal(row.extra?.ratings, lines.length - 1, "every rating of ratings.csv parsed");
      const saved: BenchRow[] = JSON.parse(await Deno.readTextFile(results));
      assert.deepEqual(saved.map((r) => [r.name, r.scale]), [["parse", 0.001], ["split", 0.5]]);
      assert.deepEqual(saved[0], row);
      assert.deepEqual(saved[1], kept);
    });

    await t.step("refuses an unknown entry before running anything", async () => {
      const before = await Deno.readTextFile(results);
      await assert.rejects(
        runBenchmarks({ scale: 0.001, names: ["parse", "no-such"], root, results }),
        /unknown benchmark 'no-such'/,
      );
      assert.equal(await Deno.readTextFile(results), before);
    });

    await t.step("every entry name is unique", () => {
      const names = BENCHMARKS.map((b) => b.name);
      assert.equal(new Set(names).size, names.length);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
