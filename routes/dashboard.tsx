/**
 * `/dashboard`: the logged-in user's three sections — movies they rated
 * (both splits; sortable, paginated island), their top 30 recommendations
 * with a reason, and the users most similar to them. Behind `requireUser()`.
 *
 * Recommendations come from the ranking model's list by default; two tabs
 * (plain links, `?list=model` and `?list=similar-users`, server-rendered so
 * they work without JS) switch to the classic list from similar users. A user
 * the model has no list for gets the similar-users list without tabs.
 */
import type { RecommendationSource, UserNeighbor } from "../lib/store/store.ts";
import { formatStars } from "../lib/movie_view.ts";
import { Island } from "../components/Island.tsx";
import { MovieCard } from "../components/MovieCard.tsx";
import { Panel } from "../components/Panel.tsx";
import RatedMovies from "../islands/RatedMovies.tsx";
import type { AppContext } from "./_http.ts";
import { endSession } from "./_middleware.ts";
import {
  type RatedPage,
  ratedParams,
  ratedQuery,
  ratedRow,
  recommendationSource,
  type RecommendationView,
  recommendationView,
  viewsOf,
} from "./_data.ts";
import { renderPage } from "./_render.tsx";

export const RECOMMENDATIONS_SHOWN = 30;
/** One formatter for all requests: `toLocaleString` builds a new one per call (~0.1 ms). */
const COUNT = new Intl.NumberFormat("en-US");
export const NEIGHBORS_SHOWN = 20;

export interface DashboardData {
  userId: number;
  rated: RatedPage;
  recommendations: RecommendationView[];
  /** The list shown. */
  source: RecommendationSource;
  /** Show the tabs: false when the store fell back to the only list the user has. */
  tabs: boolean;
  /** `?list=` as asked (kept in the rated table's links), or "" for the default. */
  listKeep: string;
  /** The rated table's query when not the default one (kept in the tabs' links), or "". */
  ratedKeep: string;
  neighbors: UserNeighbor[];
}

const TABS: readonly { source: RecommendationSource; label: string; count: string }[] = [
  { source: "model", label: "Top picks for you", count: "ranked for you from all your ratings" },
  {
    source: "similar-users",
    label: "From similar users",
    count: "by predicted rating from your similar users",
  },
];

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = c.var.userId!;
    const deps = c.var.deps;
    const params = ratedParams((name) => c.req.query(name));
    const list = recommendationSource(c.req.query("list"), "list");
    // One import for all three sections, even when one is swapped in meanwhile.
    const [recs, ratedItems, neighbors] = await deps.store.snapshot(() =>
      Promise.all([
        deps.store.recommendations(userId, RECOMMENDATIONS_SHOWN, list),
        deps.store.ratedMovies(userId, ratedQuery(params)),
        deps.store.userNeighbors(userId, NEIGHBORS_SHOWN),
      ])
    );
    // A user exists iff they have ratings (Store.userExists), which `total` counts:
    // no separate query. Zero: the store was re-imported without this user, the session is stale.
    if (ratedItems.total === 0) {
      await endSession(c);
      return c.redirect("/login", 302);
    }
    // One TMDB cache lookup (and one wait budget) for both lists.
    const views = await viewsOf(deps, [
      ...recs.items.map((r) => r.movie),
      ...ratedItems.items.map((r) => r.movie),
    ]);
    const recommendations = recs.items.map((r, i) => recommendationView(r, views[i], recs.source));
    const rated = {
      ...params,
      rows: ratedItems.items.map((r, i) => ratedRow(r, views[recs.items.length + i])),
      total: ratedItems.total,
    };
    const source = recs.source;
    const tabs = !(list === undefined && source === "similar-users");
    const listKeep = list === undefined ? "" : `list=${list}`;
    const asked = ["sort", "order", "page", "pageSize"].some((k) => c.req.query(k));
    const ratedKeep = asked
      ? `sort=${params.sort}&order=${params.order}&page=${params.page}&pageSize=${params.pageSize}`
      : "";
    return renderPage(
      c,
      `User ${userId}`,
      <DashboardPage
        data={{ userId, rated, recommendations, source, tabs, listKeep, ratedKeep, neighbors }}
      />,
    );
  },
};

export default function DashboardPage({ data }: { data: DashboardData }) {
  const { userId, rated, recommendations, source, tabs, listKeep, ratedKeep, neighbors } = data;
  const shown = TABS.find((t) => t.source === source)!;
  const { rows, total, page, pageSize, sort, order } = rated;
  return (
    <>
      <section class="hero">
        <h1>Welcome back, user {userId}</h1>
        <ul class="stats">
          <li>
            <strong>{COUNT.format(total)}</strong> movies rated
          </li>
          <li>
            <strong>{recommendations.length}</strong> recommendations
          </li>
          <li>
            <strong>{neighbors.length}</strong> similar users
          </li>
        </ul>
      </section>

      <Panel
        id="rated"
        titleId="rated-title"
        title="Movies you have rated"
        count={`${COUNT.format(total)} in total`}
      >
        {total === 0 ? <p class="empty">No ratings yet.</p> : (
          <Island
            name="RatedMovies"
            component={RatedMovies}
            props={{ userId, rows, total, page, pageSize, sort, order, keep: listKeep }}
          />
        )}
      </Panel>

      <Panel
        id="recommended"
        titleId="recommended-title"
        title="Recommended for you"
        count={`top ${recommendations.length} ${shown.count}`}
      >
        {tabs && (
          <nav class="tabs" aria-label="Recommendation lists">
            {TABS.map((t) => (
              <a
                key={t.source}
                class="tab"
                href={`/dashboard?list=${t.source}${ratedKeep && `&${ratedKeep}`}#recommended`}
                aria-current={t.source === source ? "page" : undefined}
              >
                {t.label}
              </a>
            ))}
          </nav>
        )}
        {recommendations.length === 0
          ? <p class="empty">No recommendations in this list for you yet.</p>
          : (
            <div class="card-grid">
              {recommendations.map((r) => (
                <MovieCard key={r.movieId} movie={r}>
                  <p class="score">
                    <span class="score-badge">★ {formatStars(r.prediction)}</span> predicted
                  </p>
                  <p class="reason">{r.reason}</p>
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>

      <Panel
        id="similar-users"
        titleId="similar-title"
        title="Users similar to you"
        count={`${neighbors.length} nearest neighbors`}
      >
        {neighbors.length === 0
          ? <p class="empty">No similar users found.</p>
          : (
            <table class="neighbors-table">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Similarity</th>
                  <th class="num">Movies in common</th>
                </tr>
              </thead>
              <tbody>
                {neighbors.map((n) => (
                  <tr key={n.userId}>
                    <td>User {n.userId}</td>
                    <td>
                      <span class="simbar">
                        <meter min={-1} max={1} value={n.similarity} />
                        <span>{n.similarity.toFixed(3)}</span>
                      </span>
                    </td>
                    <td class="num">{n.common}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </Panel>
    </>
  );
}
