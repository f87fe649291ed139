/**
 * `accuracy --new-users`: the shipped models' fold-in judged on users who
 * are not in training (strong generalisation, issue 21's protocol), through
 * the very {@link FoldInRecommender} that `web` and `POST
 * /api/recommendations` serve:
 *
 * - held-out users: `userId % 5 == 0` with ≥ 5 ratings; training: every
 *   rating of the other users (`u.data`, or `ratings.csv`/`ratings.dat`);
 * - a held-out user's ratings sorted by movieId: index % 5 == 4 is test,
 *   the rest is given and folded in;
 * - ranking: candidates are the training movies not given; relevant = a
 *   test rating ≥ 4 (also of a movie not in training, which no list can
 *   hold); NDCG@10 with binary gains (lib/metrics.ts), users with no
 *   relevant test rating skipped;
 * - rating: RMSE over the test ratings of training movies.
 *
 * Models: the shipped pair (`ease-weighted` ranking, `blend` rating) and
 * the references of the issue, all folded in by the same code: popularity
 * and binary EASE λ 500 (ranking), the bias baseline, knn-item and bmf
 * (rating; the blend's own members). Fits: one blend (its members twice)
 * and three rankers on the training users.
 */
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { addRankedList, emptyRanking, isRelevant } from "../lib/metrics.ts";
import { rankingModelSpec, ratingModelSpec } from "../lib/models/registry.ts";
import type { RankingModel, RatingModel } from "../lib/models/model.ts";
import type { BlendModel } from "../lib/models/blend.ts";
import { fitBias } from "../lib/models/bias.ts";
import { foldInState } from "../lib/models/fold_in_state.ts";
import { FoldInRecommender } from "../lib/models/fold_in.ts";
import type { GivenRating } from "../lib/live_recommender.ts";

/** The reference figures on ML-100k under this protocol. */
export const NEW_USER_REFERENCES: Readonly<Record<string, number>> = {
  popularity: 0.1601,
  ease: 0.3468,
  "ease-weighted": 0.3783,
  bias: 0.9209,
  "knn-item": 0.8929,
};

/** The targets: NDCG@10 of the shipped ranking, RMSE of the shipped rating model. */
export const NEW_USER_TARGETS = { ndcg: 0.378, rmse: 0.880 } as const;

/** One held-out user: given ratings (folded in) and test ratings. */
export interface HeldOutUser {
  userId: number;
  given: GivenRating[];
  test: GivenRating[];
}

/** The split of the module doc. */
export function newUserSplit(
  table: RatingsTable,
): { train: RatingsTable; users: HeldOutUser[] } {
  const byUser = new Map<number, number[]>();
  for (let k = 0; k < table.length; k++) {
    const u = table.users[k];
    if (u % 5 !== 0) continue;
    let list = byUser.get(u);
    if (!list) byUser.set(u, list = []);
    list.push(k);
  }
  const heldOut = new Set<number>();
  for (const [u, list] of byUser) if (list.length >= 5) heldOut.add(u);
  const keep: number[] = [];
  for (let k = 0; k < table.length; k++) if (!heldOut.has(table.users[k])) keep.push(k);
  const train: RatingsTable = {
    length: keep.length,
    users: Int32Array.from(keep, (k) => table.users[k]),
    movies: Int32Array.from(keep, (k) => table.movies[k]),
    ratings: Uint8Array.from(keep, (k) => table.ratings[k]),
    timestamps: Uint32Array.from(keep, (k) => table.timestamps[k]),
  };
  const users: HeldOutUser[] = [...heldOut].sort((a, b) => a - b).map((userId) => {
    const rows = byUser.get(userId)!.slice().sort((a, b) => table.movies[a] - table.movies[b]);
    const given: GivenRating[] = [], test: GivenRating[] = [];
    rows.forEach((k, index) => {
      const r = { movieId: table.movies[k], rating: table.ratings[k] / 2 };
      (index % 5 === 4 ? test : given).push(r);
    });
    return { userId, given, test };
  });
  return { train, users };
}

export interface NewUserRow {
  name: string;
  kind: "ranking" | "rating";
  /** NDCG@10 (ranking) or RMSE (rating). */
  value: number;
  /** The figure, when it gives one. */
  reference: number | null;
  /** Whether this is the shipped model. */
  shipped: boolean;
}

export interface NewUserResult {
  heldOutUsers: number;
  /** Users with a relevant test rating (the NDCG's mean is over them). */
  rankedUsers: number;
  /** Test ratings of training movies (the RMSE's). */
  ratedTests: number;
  trainRatings: number;
  rows: NewUserRow[];
}

/** NDCG@10 of a fold-in recommender over the held-out users. */
function foldInNdcg(rec: FoldInRecommender, users: HeldOutUser[]): { ndcg: number; users: number } {
  const acc = emptyRanking();
  for (const u of users) {
    const relevant = new Set(u.test.filter((r) => isRelevant(r.rating * 2)).map((r) => r.movieId));
    if (relevant.size === 0) continue;
    const { items } = rec.recommend(u.given, 10);
    addRankedList(acc, items.map((p) => relevant.has(p.movieId) ? 1 : 0), relevant.size, 10);
  }
  return { ndcg: acc.users > 0 ? acc.ndcg / acc.users : NaN, users: acc.users };
}

/** RMSE of a fold-in recommender's predictions over the test ratings of training movies. */
function foldInRmse(
  rec: FoldInRecommender,
  users: HeldOutUser[],
  m: RatingMatrix,
): { rmse: number; n: number } {
  let sse = 0, n = 0;
  for (const u of users) {
    const test = u.test.filter((r) =>
      r.movieId < m.itemIndex.length && m.itemIndex[r.movieId] >= 0
    );
    if (test.length === 0) continue;
    const { predictions } = rec.recommend(u.given, 0, test.map((r) => r.movieId));
    predictions.forEach((p, k) => {
      const e = p.prediction - test[k].rating;
      sse += e * e;
      n++;
    });
  }
  return { rmse: n > 0 ? Math.sqrt(sse / n) : NaN, n };
}

/** Fits the models on the training users and scores every fold-in; see the module doc. */
export async function evaluateNewUsers(
  table: RatingsTable,
  log: (line: string) => void = () => {},
): Promise<NewUserResult> {
  const { train, users } = newUserSplit(table);
  const m = buildRatingMatrix(train, { shared: false });
  log(`new users: ${users.length} held out, ${train.length} training ratings; fitting…`);
  const blend = await ratingModelSpec("blend").fit(m) as BlendModel;
  const rankers: [string, RankingModel][] = [];
  for (const name of ["popularity", "ease", "ease-weighted"]) {
    rankers.push([name, await rankingModelSpec(name).fit(m)]);
  }
  const shippedRanker = rankers[2][1];
  const raters: [string, RatingModel][] = [
    ["bias", fitBias(m)],
    ["knn-item", blend.members[1]],
    ["bmf", blend.members[0]],
    ["blend", blend],
  ];
  const rows: NewUserRow[] = [];
  let rankedUsers = 0, ratedTests = 0;
  for (const [name, ranker] of rankers) {
    const rec = new FoldInRecommender(foldInState(ranker, blend, m));
    const r = foldInNdcg(rec, users);
    rankedUsers = r.users;
    rows.push({
      name,
      kind: "ranking",
      value: r.ndcg,
      reference: NEW_USER_REFERENCES[name] ?? null,
      shipped: name === "ease-weighted",
    });
  }
  for (const [name, rater] of raters) {
    const rec = new FoldInRecommender(foldInState(shippedRanker, rater, m));
    const r = foldInRmse(rec, users, m);
    ratedTests = r.n;
    rows.push({
      name,
      kind: "rating",
      value: r.rmse,
      reference: NEW_USER_REFERENCES[name] ?? null,
      shipped: name === "blend",
    });
  }
  return { heldOutUsers: users.length, rankedUsers, ratedTests, trainRatings: train.length, rows };
}

/** The table `accuracy --new-users` prints. */
export function formatNewUsers(r: NewUserResult): string {
  const lines = [
    `new users (strong generalisation): ${r.heldOutUsers} held-out users (userId % 5 == 0, ` +
    `≥ 5 ratings), ${r.trainRatings} training ratings; NDCG@10 over ${r.rankedUsers} users ` +
    `with a relevant test rating, RMSE over ${r.ratedTests} test ratings of training movies`,
    "",
    "model            metric    fold-in  reference  target",
  ];
  for (const row of r.rows) {
    const metric = row.kind === "ranking" ? "NDCG@10" : "RMSE";
    const target = row.shipped
      ? (row.kind === "ranking" ? `≥ ${NEW_USER_TARGETS.ndcg}` : `≤ ${NEW_USER_TARGETS.rmse}`)
      : "";
    const met = row.shipped
      ? (row.kind === "ranking"
          ? row.value >= NEW_USER_TARGETS.ndcg
          : row.value <= NEW_USER_TARGETS.rmse)
        ? " met"
        : " MISSED"
      : "";
    lines.push(
      `${(row.name + (row.shipped ? " *" : "")).padEnd(16)} ${metric.padEnd(8)} ` +
        `${row.value.toFixed(4).padStart(8)}  ${
          (row.reference === null ? "" : row.reference.toFixed(4)).padStart(9)
        }  ${target}${met}`,
    );
  }
  lines.push("", "* shipped (pipeline defaults); reference: issue 21's figures on ML-100k");
  return lines.join("\n");
}

/** The ratings of a release directory for the new-user protocol: `u.data`, `ratings.csv` or `ratings.dat`. */
export async function readReleaseRatings(dir: string): Promise<RatingsTable> {
  const files = [["u.data", "\t"], ["ratings.csv", ","], ["ratings.dat", "::"]] as const;
  for (const [name, separator] of files) {
    try {
      await Deno.stat(`${dir}/${name}`);
    } catch {
      continue;
    }
    return (await readRatingsTable(`${dir}/${name}`, { separator })).table;
  }
  throw new Deno.errors.NotFound(`${dir}: no u.data, ratings.csv or ratings.dat`);
}
