/**
 * Dev script: the ranking models on ML-100k's five official folds under issue
 * #13's protocol (lib/models/rank.ts), per fold and mean: NDCG@10, P@10,
 * recall@10, catalog coverage and fit time.
 *
 *     deno run -A bench/ranking_ml100k.ts data/ml100k-csv [--only SUBSTR,...]
 *     deno run -A bench/ranking_ml100k.ts --inverse 1000,2000,4000 [--workers 2]
 *     deno run -A bench/ranking_ml100k.ts --fit MODEL --train FILE [--max-items M] [--workers 2]
 *
 * DIR holds u1.base.csv, u1.test.csv … u5.test.csv (header-less
 * `userId,movieId,rating,timestamp`). `--only` keeps the variants whose label
 * contains one of the substrings. `--inverse` instead times the in-place SPD
 * inverse behind EASE (lib/models/spd_inverse.ts) for each size n, on
 * XᵀX + λI of a random binary X (speed only; values do not matter).
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { EASE_WEIGHTED_DEFAULTS, EaseModel, fitEase } from "../lib/models/ease.ts";
import { fitItemKnnImplicit } from "../lib/models/item_knn_implicit.ts";
import type { RankingModel } from "../lib/models/model.ts";
import { fitPopularity } from "../lib/models/popularity.ts";
import { evaluateRanking, type RankingResult } from "../lib/models/rank.ts";
import { fitRp3beta } from "../lib/models/rp3beta.ts";
import { invertSpd } from "../lib/models/spd_inverse.ts";

interface Variant {
  label: string;
  fit: (m: RatingMatrix) => RankingModel | Promise<RankingModel>;
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    only: { type: "string" },
    inverse: { type: "string" },
    workers: { type: "string" },
    fit: { type: "string" },
    train: { type: "string" },
    "max-items": { type: "string" },
  },
});
const workers = values.workers ? Number(values.workers) : defaultWorkers();

const variants: Variant[] = [
  { label: "popularity", fit: fitPopularity },
  { label: "item-knn-implicit k100", fit: (m) => fitItemKnnImplicit(m, { workers }) },
  ...[50, 200].map((k) => ({
    label: `item-knn-implicit k${k}`,
    fit: (m: RatingMatrix) => fitItemKnnImplicit(m, { k, workers }),
  })),
  ...[100, 200, 300, 400, 500, 700, 1000].map((lambda) => ({
    label: `ease λ${lambda}`,
    fit: (m: RatingMatrix) => fitEase(m, { lambda, workers }),
  })),
  ...[[500, 1], [300, 0.5], [200, 0.5], [250, 0.4], [250, 0.5], [300, 0.4], [350, 0.5], [300, 0.6]]
    .map(([lambda, w]) => ({
      label: `ease-weighted λ${lambda} w${w}`,
      fit: (m: RatingMatrix) => fitEase(m, { lambda, lowRatingWeight: w, workers }),
    })),
  ...[[1, 0.5], [0.8, 0.5], [0.8, 0.6], [0.6, 0.5], [0.5, 0.6], [1, 0.7]].flatMap(([alpha, beta]) =>
    [100, 200].map((k) => ({
      label: `rp3beta α${alpha} β${beta} k${k}`,
      fit: (m: RatingMatrix) => fitRp3beta(m, { alpha, beta, k, workers }),
    }))
  ),
];

/** CPU seconds (all threads of the process) since `from`. */
function cpuSeconds(from: { user: number; system: number }): number {
  const d = cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

async function benchInverse(sizes: number[]): Promise<void> {
  for (const n of sizes) {
    const a = new Float64Array(new SharedArrayBuffer(n * n * 8));
    // XᵀX + λI for a random binary X of 2n rows at density 5 %: SPD, ML-like.
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const row: number[] = [];
    for (let u = 0; u < 2 * n; u++) {
      row.length = 0;
      for (let i = 0; i < n; i++) if (rand() < 0.05) row.push(i);
      for (const x of row) for (const y of row) a[x * n + y] += 1;
    }
    for (let i = 0; i < n; i++) a[i * n + i] += 500;
    const t0 = performance.now(), c0 = cpuUsage();
    await invertSpd(a, n, { workers });
    const s = (performance.now() - t0) / 1000, c = cpuSeconds(c0);
    // n³/2 multiply-adds (lib/models/spd_inverse.ts); CPU time is what a
    // contended machine cannot inflate.
    console.log(
      `inverse n=${n} workers=${workers}: wall ${s.toFixed(1)} s, CPU ${c.toFixed(1)} s, ${
        (n ** 3 / 2 / c / 1e9).toFixed(2)
      } G multiply-adds per CPU-second`,
    );
  }
}

async function benchFit(model: string, file: string): Promise<void> {
  const t0 = performance.now();
  const m = buildRatingMatrix((await readRatingsTable(file)).table);
  const t1 = performance.now(), c1 = cpuUsage();
  console.log(
    `read + matrix: ${
      ((t1 - t0) / 1000).toFixed(1)
    } s (${m.userIds.length} users, ${m.itemIds.length} items, ${m.userItems.length} ratings)`,
  );
  const maxItems = values["max-items"] ? Number(values["max-items"]) : undefined;
  const fitted = model === "ease"
    ? await fitEase(m, { maxItems, workers })
    : model === "ease-weighted"
    ? await fitEase(m, { ...EASE_WEIGHTED_DEFAULTS, maxItems, workers })
    : model === "rp3beta"
    ? await fitRp3beta(m, { workers })
    : await fitItemKnnImplicit(m, { workers });
  const t2 = performance.now();
  console.log(
    `fit ${model} (workers ${workers}): wall ${((t2 - t1) / 1000).toFixed(1)} s, CPU ${
      cpuSeconds(c1).toFixed(1)
    } s`,
  );
  if (fitted instanceof EaseModel) {
    let covered = 0;
    for (const i of fitted.colItems) covered += m.itemOffsets[i + 1] - m.itemOffsets[i];
    console.log(
      `modelled items: ${fitted.colItems.length}, holding ${
        (100 * covered / m.userItems.length).toFixed(1)
      } % of the training ratings`,
    );
  }
  const out = new Float64Array(m.itemIds.length);
  const users = Math.min(2000, m.userIds.length);
  for (let u = 0; u < users; u++) fitted.scoreUser(u, out);
  const t3 = performance.now();
  console.log(`scoreUser: ${((t3 - t2) / users).toFixed(2)} ms per user (first ${users} users)`);
}

async function main(): Promise<void> {
  if (values.fit) {
    await benchFit(values.fit, values.train ?? "");
    return;
  }
  if (values.inverse) {
    await benchInverse(values.inverse.split(",").map(Number));
    return;
  }
  const dir = positionals[0];
  if (!dir) throw new Error("usage: ranking_ml100k.ts DIR [--only SUBSTR,...]");
  const only = values.only?.split(",");
  const chosen = only ? variants.filter((v) => only.some((s) => v.label.includes(s))) : variants;
  const results = new Map<string, { r: RankingResult; fit: number }[]>();
  for (let fold = 1; fold <= 5; fold++) {
    const train = buildRatingMatrix((await readRatingsTable(`${dir}/u${fold}.base.csv`)).table);
    const { table: test } = await readRatingsTable(`${dir}/u${fold}.test.csv`);
    for (const v of chosen) {
      const t0 = performance.now();
      const model = await v.fit(train);
      const fit = (performance.now() - t0) / 1000;
      const r = evaluateRanking(model, train, test, { n: 10 });
      if (!results.has(v.label)) results.set(v.label, []);
      results.get(v.label)!.push({ r, fit });
      console.log(
        `u${fold} ${v.label.padEnd(28)} NDCG@10 ${r.ndcg.toFixed(4)}  P@10 ${
          r.precision.toFixed(4)
        }  R@10 ${r.recall.toFixed(4)}  cov ${r.catalogCoverage.toFixed(3)}  fit ${
          fit.toFixed(2)
        } s  users ${r.users}`,
      );
    }
  }
  console.log("\nmean over u1–u5:");
  console.log(
    "| model | NDCG@10 u1 | u2 | u3 | u4 | u5 | NDCG@10 mean | P@10 | R@10 | catalog cov. | fit s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [label, rs] of results) {
    const f = (x: number) => x.toFixed(4);
    console.log(
      `| ${label} | ${rs.map((x) => f(x.r.ndcg)).join(" | ")} | **${
        f(mean(rs.map((x) => x.r.ndcg)))
      }** | ${f(mean(rs.map((x) => x.r.precision)))} | ${f(mean(rs.map((x) => x.r.recall)))} | ${
        mean(rs.map((x) => x.r.catalogCoverage)).toFixed(3)
      } | ${mean(rs.map((x) => x.fit)).toFixed(2)} |`,
    );
  }
}

await main();
