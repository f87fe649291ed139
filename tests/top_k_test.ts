import assert from "node:assert/strict";
import { mergeTopK, TopK, TopKLists } from "../lib/top_k.ts";
import { selectTopN, TopN } from "../lib/top_n.ts";

type Entry = [key: number, id: number];

/** The K best of a candidate list by the plain rule: key descending, then id ascending. */
function best(cands: Entry[], k: number): Entry[] {
  return [...cands].sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, k);
}

function listOf(l: TopKLists, row: number): Entry[] {
  const out: Entry[] = [];
  for (let j = 0; j < l.sizes[row]; j++) out.push([l.keys[row * l.k + j], l.ids[row * l.k + j]]);
  return best(out, l.k);
}

function drained(top: TopK): Entry[] {
  const n = top.drain();
  return Array.from({ length: n }, (_, j) => [top.keys[j], top.ids[j]]);
}

/** A seeded generator (LCG), so a failure repeats. */
function random(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
}

/** Candidates with distinct ids in shuffled order; few distinct keys, so ties are frequent. */
function candidates(rand: () => number, n: number, keyOf: (r: number) => number): Entry[] {
  const ids = Array.from({ length: n }, (_, i) => i * 3 + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.map((id) => [keyOf(rand()), id]);
}

Deno.test("TopK", async (t) => {
  await t.step("drains the same list as a plain sort, on random inputs with ties", () => {
    const rand = random(7);
    const top = new TopK(1);
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(rand() * 60);
      const limit = Math.floor(rand() * 12);
      // Integer keys with many ties, or doubles of any sign.
      const keyOf = round % 2 ? (r: number) => Math.floor(r * 5) - 2 : (r: number) => r * 2e5 - 1e5;
      const cands = candidates(rand, n, keyOf);
      top.reset(limit);
      for (const [key, id] of cands) top.push(key, id);
      assert.deepEqual(drained(top), best(cands, limit), `round ${round}`);
    }
  });

  await t.step("keeps nothing with limit 0 and everything with a limit above the count", () => {
    const top = new TopK(0);
    top.push(5, 1);
    assert.equal(top.drain(), 0);
    top.reset(10);
    for (const [key, id] of [[1, 4], [3, 2], [1, 3]]) top.push(key, id);
    assert.deepEqual(drained(top), [[3, 2], [1, 3], [1, 4]]);
  });

  await t.step("grows its buffers on reset and starts empty", () => {
    const top = new TopK(2);
    top.push(1, 1);
    top.reset(5);
    for (let id = 0; id < 8; id++) top.push(id % 4, id);
    assert.deepEqual(drained(top), [[3, 3], [3, 7], [2, 2], [2, 6], [1, 1]]);
    assert.equal(top.count, 5);
  });

  await t.step("ranks -0 and 0 alike and Infinity first", () => {
    const top = new TopK(3);
    for (const [key, id] of [[0, 9], [-0, 2], [Infinity, 5], [-1, 1]]) top.push(key, id);
    assert.deepEqual(drained(top).map((e) => e[1]), [5, 2, 9]);
  });
});

Deno.test("selectTopN", async (t) => {
  await t.step("ranks by the printed key, ties by the smaller item, as a plain sort", () => {
    const rand = random(11);
    const out = new TopN(1);
    for (let round = 0; round < 100; round++) {
      const count = Math.floor(rand() * 40);
      // Predictions equal after rounding to 6 decimals tie.
      const preds = Float64Array.from(
        { length: count },
        () => 1 + Math.floor(rand() * 8) / 2 + rand() * 1e-8,
      );
      const items = Int32Array.from(candidates(rand, count, () => 0), (e) => e[1]);
      const n = Math.floor(rand() * 10);
      selectTopN(items, preds, count, n, out);
      const want = best(
        Array.from(items, (item, c): Entry => [Math.round(preds[c] * 1e6), item]),
        n > 0 ? n : count,
      );
      const got = Array.from({ length: out.count }, (_, j): Entry => [out.keys[j], out.items[j]]);
      assert.deepEqual(got, want, `round ${round}`);
    }
  });
});

Deno.test("TopKLists", async (t) => {
  await t.step("keeps the K largest keys whatever the offer order", () => {
    const rand = random(12345);
    for (const k of [1, 3, 7]) {
      const l = new TopKLists(4, k);
      const offered: Entry[][] = [[], [], [], []];
      for (let i = 0; i < 300; i++) {
        const row = Math.floor(rand() * 4);
        // Few distinct keys, so ties are frequent; each id at most once per row.
        const cand: Entry = [Math.floor(rand() * 6) - 3, i];
        offered[row].push(cand);
        l.offer(row, cand[0], cand[1]);
      }
      for (let row = 0; row < 4; row++) assert.deepEqual(listOf(l, row), best(offered[row], k));
    }
  });

  await t.step("breaks key ties by the smaller id", () => {
    const l = new TopKLists(1, 2);
    for (const id of [9, 4, 7, 2, 8]) l.offer(0, 500, id);
    assert.deepEqual(listOf(l, 0), [[500, 2], [500, 4]]);
  });

  await t.step("exposes the worst kept key as threshold once full", () => {
    const l = new TopKLists(1, 3);
    l.offer(0, 10, 1);
    l.offer(0, 30, 2);
    assert.equal(l.threshold[0], -Infinity);
    l.offer(0, 20, 3);
    assert.equal(l.threshold[0], 10);
    l.offer(0, 25, 4);
    assert.equal(l.threshold[0], 20);
  });

  await t.step("shares its arrays with a view built from them", () => {
    const l = new TopKLists(2, 2, true);
    assert.ok(l.keys.buffer instanceof SharedArrayBuffer);
    const view = new TopKLists(2, 2, true, l.arrays());
    view.offer(1, 7, 3);
    assert.deepEqual(listOf(l, 1), [[7, 3]]);
  });

  await t.step("merges lists that saw disjoint offers into the overall top K", () => {
    const a = new TopKLists(2, 3), b = new TopKLists(2, 3);
    const all: Entry[] = [];
    for (let id = 0; id < 20; id++) {
      const key = (id * 37) % 11;
      all.push([key, id]);
      (id % 2 ? a : b).offer(1, key, id);
    }
    const ids = new Int32Array(3), keys = new Int32Array(3);
    const n = mergeTopK([a, b], 1, 3, new Float64Array(6), ids, keys);
    assert.equal(n, 3);
    assert.deepEqual([0, 1, 2].map((j) => [keys[j], ids[j]]), best(all, 3));
    assert.equal(mergeTopK([a, b], 0, 3, new Float64Array(6), ids, keys), 0);
  });

  await t.step("orders merged entries with negative keys correctly", () => {
    const a = new TopKLists(1, 4);
    for (const [key, id] of [[-1000000, 5], [1000000, 9], [0, 3], [-1, 1]]) a.offer(0, key, id);
    const ids = new Int32Array(4), keys = new Int32Array(4);
    mergeTopK([a], 0, 4, new Float64Array(4), ids, keys);
    assert.deepEqual([...keys], [1000000, 0, -1, -1000000]);
    assert.deepEqual([...ids], [9, 3, 1, 5]);
  });
});
