/**
 * A small served store for the browser test and the web bench: synthetic
 * MovieLens-shaped data run through split → neighbors (user, item) → predict
 * → import, the same steps as the real pipeline.
 */
import { synthesize } from "../../tools/synth.ts";
import { splitRatings } from "../../tools/split.ts";
import { computeNeighborsFile } from "../../tools/neighbors.ts";
import { predictToFile } from "../../eval/predict.ts";
import { importStore } from "../../tools/import.ts";

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
  const db = `sqlite:${dir}/recsys.db`;
  await importStore({ db, dir, progress: false });
  return db;
}
