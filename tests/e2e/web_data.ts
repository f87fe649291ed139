/**
 * A small served store for the browser test and the web bench: synthetic
 * MovieLens-shaped data run through split → neighbors (user, item) → predict
 * → serving list → import, the same steps as the real pipeline.
 */
import { synthesize } from "../../tools/synth.ts";
import { splitRatings } from "../../tools/split.ts";
import { computeNeighborsFile } from "../../lib/neighbors/engine.ts";
import { predictToFile } from "../../lib/recommend/predict.ts";
import { importStore } from "../../tools/import.ts";
import { readRatingsTable } from "../../lib/ratings_table.ts";
import { readNeighborFile } from "../../lib/neighbor_file.ts";
import { CSV_HEADERS } from "../../lib/run_dir.ts";

/** Builds `<dir>/recsys.db` from synthetic data at `scale`; returns its store URL. */
export async function buildWebStore(dir: string, scale: number): Promise<string> {
  await synthesize(dir, { scale, seed: 7 });
  await splitRatings(`${dir}/ratings.csv`, dir, { testRatio: 0.2, seed: 42, skipInvalid: false });
  const train = `${dir}/ratings_train.csv`;
  const common = {
    k: 30,
    minCommon: 3,
    similarity: "cosine",
    shrink: 0,
    maxRaters: 0,
    workers: 2,
  } as const;
  await computeNeighborsFile(train, `${dir}/user_topk_neighbors.txt`, { mode: "user", ...common });
  await computeNeighborsFile(train, `${dir}/item_topk_neighbors.txt`, { mode: "item", ...common });
  await predictToFile({
    train,
    neighbors: `${dir}/user_topk_neighbors.txt`,
    model: "user",
    out: `${dir}/user_based_recommendations.csv`,
    top: 50,
    k: 0,
    workers: 2,
  });
  await writeServingFile(dir, 50);
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir, progress: false });
  return db;
}

/**
 * Writes `<dir>/serving_recommendations.csv` in the pipeline's format from a
 * stand-in ranking model, so the dashboard's model list and its reasons have
 * data: item-kNN over the item neighbor file, scored on all of a user's
 * ratings (both splits), `score(u, i) = Σ_{j rated by u} sim(j, i)` over the
 * positive similarities of j's list; "because" is the j with the largest
 * `sim(j, i)` (ties: smaller id); `prediction = Σ sim·r_uj / Σ sim` in stars.
 * A user with fewer than `top` such movies gets the most-rated unrated ones
 * after them, score 0 and no "because" (popularity).
 */
async function writeServingFile(dir: string, top: number): Promise<void> {
  const tables = await Promise.all(
    ["train", "test"].map(async (s) => (await readRatingsTable(`${dir}/ratings_${s}.csv`)).table),
  );
  const items = await readNeighborFile(`${dir}/item_topk_neighbors.txt`);
  const rowOf = new Map<number, number>();
  items.ids.forEach((id, r) => rowOf.set(id, r));
  const byUser = new Map<number, [number, number][]>();
  const popularity = new Map<number, number>();
  for (const t of tables) {
    for (let i = 0; i < t.length; i++) {
      let list = byUser.get(t.users[i]);
      if (!list) byUser.set(t.users[i], list = []);
      list.push([t.movies[i], t.ratings[i]]);
      popularity.set(t.movies[i], (popularity.get(t.movies[i]) ?? 0) + 1);
    }
  }
  const popular = [...popularity.keys()].sort((a, b) =>
    popularity.get(b)! - popularity.get(a)! || a - b
  );
  const lines: string[] = [CSV_HEADERS.serving];
  for (const u of [...byUser.keys()].sort((a, b) => a - b)) {
    const rated = new Map(byUser.get(u)!);
    // movie → [score, Σ sim·r2, because, its sim]
    const acc = new Map<number, [number, number, number, number]>();
    for (const [j, r2] of [...rated].sort((a, b) => a[0] - b[0])) {
      const row = rowOf.get(j);
      if (row === undefined) continue;
      for (let e = items.offsets[row]; e < items.offsets[row + 1]; e++) {
        const i = items.nids[e], sim = items.sims[e];
        if (sim <= 0 || rated.has(i)) continue;
        const a = acc.get(i);
        if (!a) acc.set(i, [sim, sim * r2, j, sim]);
        else {
          a[0] += sim;
          a[1] += sim * r2;
          if (sim > a[3]) [a[2], a[3]] = [j, sim];
        }
      }
    }
    const ranked = [...acc].sort((x, y) => y[1][0] - x[1][0] || x[0] - y[0]).slice(0, top);
    let rank = 0;
    for (const [i, [score, sumR, because]] of ranked) {
      const stars = Math.min(5, Math.max(0.5, sumR / score / 2));
      lines.push(
        `${u},${++rank},${i},${score.toFixed(6)},${stars.toFixed(6)},${because},` +
          `${rated.get(because)! / 2}`,
      );
    }
    for (const i of popular) {
      if (rank >= top) break;
      if (rated.has(i) || acc.has(i)) continue;
      lines.push(`${u},${++rank},${i},0.000000,3.500000,,`);
    }
  }
  await Deno.writeTextFile(`${dir}/serving_recommendations.csv`, lines.join("\n") + "\n");
}
