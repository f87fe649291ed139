import assert from "node:assert/strict";
import { mergeTopK, TopKLists } from "../lib/top_k.ts";

/** The K best of a candidate list by the plain rule: key descending, then nid ascending. */
function best(cands: [number, number][], k: number): [number, number][] {
  return [...cands].sort((p, q) => q[0] - p[0] || p[1] - q[1]).slice(0, k);
}

function listOf(l: TopKLists, row: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < l.sizes[row]; j++) out.push([l.keys[row * l.k + j], l.nids[row * l.k + j]]);
  return best(out, l.k);
}

Deno.test("TopKLists", async (t) => {
  await t.step("keeps the K largest keys whatever the offer order", () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    for (const k of [1, 3, 7]) {
      const l = new TopKLists(4, k);
      const offered: [number, number][][] = [[], [], [], []];
      for (let i = 0; i < 300; i++) {
        const row = Math.floor(rand() * 4);
        // Few distinct keys, so ties are frequent; each nid at most once per row.
        const cand: [number, number] = [Math.floor(rand() * 6) - 3, i];
        offered[row].push(cand);
        l.offer(row, cand[0], cand[1]);
      }
      for (let row = 0; row < 4; row++) assert.deepEqual(listOf(l, row), best(offered[row], k));
    }
  });

  await t.step("breaks key ties by the smaller nid", () => {
    const l = new TopKLists(1, 2);
    for (const nid of [9, 4, 7, 2, 8]) l.offer(0, 500, nid);
    assert.deepEqual(listOf(l, 0), [[500, 2], [500, 4]]);
  });

  await t.step("exposes the worst kept key as threshold once full", () => {
    const l = new TopKLists(1, 3);
    l.offer(0, 10, 1);
    l.offer(0, 30, 2);
    assert.equal(l.threshold[0], -0x80000000);
    l.offer(0, 20, 3);
    assert.equal(l.threshold[0], 10);
    l.offer(0, 25, 4);
    assert.equal(l.threshold[0], 20);
  });

  await t.step("merges lists that saw disjoint offers into the overall top K", () => {
    const a = new TopKLists(2, 3), b = new TopKLists(2, 3);
    const all: [number, number][] = [];
    for (let nid = 0; nid < 20; nid++) {
      const key = (nid * 37) % 11;
      all.push([key, nid]);
      (nid % 2 ? a : b).offer(1, key, nid);
    }
    const nids = new Int32Array(3), keys = new Int32Array(3);
    const n = mergeTopK([a, b], 1, 3, new Float64Array(6), nids, keys);
    assert.equal(n, 3);
    assert.deepEqual([0, 1, 2].map((j) => [keys[j], nids[j]]), best(all, 3));
    assert.equal(mergeTopK([a, b], 0, 3, new Float64Array(6), nids, keys), 0);
  });

  await t.step("orders merged entries with negative keys correctly", () => {
    const a = new TopKLists(1, 4);
    for (const [key, nid] of [[-1000000, 5], [1000000, 9], [0, 3], [-1, 1]]) a.offer(0, key, nid);
    const nids = new Int32Array(4), keys = new Int32Array(4);
    mergeTopK([a], 0, 4, new Float64Array(4), nids, keys);
    assert.deepEqual([...keys], [1000000, 0, -1, -1000000]);
    assert.deepEqual([...nids], [9, 3, 1, 5]);
  });
});
