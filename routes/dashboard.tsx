/**
 * `/dashboard`: the logged-in user's picks first, then the movies they rated
 * (both splits; sortable, paginated island), then the users most similar to
 * them. Behind `requireUser()`.
 *
 * Picks come from the ranking model's list by default; two tabs (plain
 * links, `?list=model` and `?list=similar-users`, server-rendered so they
 * work without JS) switch to the list from similar users (the movies the
 * similar users below liked, lib/models/user_liked.ts). A user the model has
 * no list for gets the similar-users list without tabs. A user with no
 * usable rating (the list shown is empty, or the model's scores carry no
 * signal: every movie they rated is one the model does not know) gets the
 * most-rated movies, said plainly (cold start). Predicted stars are shown
 * beside the user's own average, so a ★1.5 from a user who averages ★1.8
 * does not read as a warning. A page past the last one shows the last one.
 */
import type { Movie, RecommendationSource, UserNeighbor } from "../lib/store/store.ts";
import { formatStars, type MovieView } from "../lib/movie_view.ts";
import { SIMILAR_USERS } from "../lib/models/user_liked.ts";
import { Island } from "../components/Island.tsx";
import { MovieCard } from "../components/MovieCard.tsx";
import { Panel } from "../components/Panel.tsx";
import RatedMovies from "../islands/RatedMovies.tsx";
import type { AppContext } from "./_http.ts";
import { endSession } from "./_middleware.ts";
import {
  lastPage,
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
/** The panel lists every similar user the similar-users list draws on. */
export const NEIGHBORS_SHOWN = SIMILAR_USERS;
/** Ratings read to keep a cold-start user's rated movies out of the popular list. */
const COLD_START_RATED = 1000;

function plural(n: number, one: string, many: string): string {
  return `${COUNT.format(n)} ${n === 1 ? one : many}`;
}

export interface DashboardData {
  userId: number;
  /** The form token of "start a profile from these ratings". */
  csrfToken: string;
  rated: RatedPage;
  recommendations: RecommendationView[];
  /**
   * Cold start: no usable rating, so `popular` (the most-rated movies the user did not
   * rate) is shown instead of `recommendations`.
   */
  coldStart: boolean;
  popular: MovieView[];
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
    count: "liked by the users most similar to you",
  },
];

/**
 * No usable rating: the model's list scored nothing above zero (what it gives a user
 * whose rated movies it does not know), or the user has no list at all (`asked`
 * undefined: the store fell back from the model list to an empty similar-users list).
 * An empty similar-users list the user asked for is just empty.
 */
function isColdStart(
  source: RecommendationSource,
  recs: readonly { score: number | null }[],
  asked: RecommendationSource | undefined,
) {
  if (source === "model") return !recs.some((r) => r.score !== null && r.score > 0);
  return asked === undefined && recs.length === 0;
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = c.var.userId!;
    const deps = c.var.deps;
    const asked = ratedParams((name) => c.req.query(name));
    const list = recommendationSource(c.req.query("list"), "list");
    // One import for all three sections, even when one is swapped in meanwhile.
    const [recs, ratedItems, neighbors, params, popular] = await deps.store.snapshot(async () => {
      const [recs, first, neighbors] = await Promise.all([
        deps.store.recommendations(userId, RECOMMENDATIONS_SHOWN, list),
        deps.store.ratedMovies(userId, ratedQuery(asked)),
        deps.store.userNeighbors(userId, NEIGHBORS_SHOWN),
      ]);
      // Out of range: the last page (a second query, only then).
      const last = lastPage(first.total, asked.pageSize);
      const params = asked.page > last ? { ...asked, page: last } : asked;
      const rated = params === asked
        ? first
        : await deps.store.ratedMovies(userId, ratedQuery(params));
      let popular: Movie[] = [];
      if (first.total > 0 && isColdStart(recs.source, recs.items, list)) {
        const [top, all] = await Promise.all([
          deps.store.popularMovies(RECOMMENDATIONS_SHOWN + Math.min(first.total, COLD_START_RATED)),
          deps.store.ratedMovies(userId, {
            sort: "date",
            order: "desc",
            offset: 0,
            limit: COLD_START_RATED,
          }),
        ]);
        const seen = new Set(all.items.map((r) => r.movie.movieId));
        popular = top.filter((m) => !seen.has(m.movieId)).slice(0, RECOMMENDATIONS_SHOWN);
      }
      return [recs, rated, neighbors, params, popular] as const;
    });
    // A user exists iff they have ratings (Store.userExists), which `total` counts:
    // no separate query. Zero: the store was re-imported without this user, the session is stale.
    if (ratedItems.total === 0) {
      await endSession(c);
      return c.redirect("/login", 302);
    }
    const coldStart = isColdStart(recs.source, recs.items, list);
    const shownRecs = coldStart ? [] : recs.items;
    // One TMDB cache lookup (and one wait budget) for all lists.
    const views = await viewsOf(deps, [
      ...shownRecs.map((r) => r.movie),
      ...ratedItems.items.map((r) => r.movie),
      ...popular,
    ]);
    const mean = ratedItems.meanRating;
    const recommendations = shownRecs.map((r, i) =>
      recommendationView(r, views[i], recs.source, mean)
    );
    const ratedRows = ratedItems.items.map((r, i) => ratedRow(r, views[shownRecs.length + i]));
    const rated: RatedPage = {
      ...params,
      rows: ratedRows,
      total: ratedItems.total,
      meanRating: mean,
    };
    const source = recs.source;
    const tabs = !coldStart && !(list === undefined && source === "similar-users");
    const listKeep = list === undefined ? "" : `list=${list}`;
    const keepRated = ["sort", "order", "page", "pageSize"].some((k) => c.req.query(k));
    const ratedKeep = keepRated
      ? `sort=${params.sort}&order=${params.order}&page=${params.page}&pageSize=${params.pageSize}`
      : "";
    return renderPage(
      c,
      `User ${userId}`,
      <DashboardPage
        data={{
          userId,
          csrfToken: c.var.csrfToken,
          rated,
          recommendations,
          coldStart,
          popular: views.slice(shownRecs.length + ratedRows.length),
          source,
          tabs,
          listKeep,
          ratedKeep,
          neighbors,
        }}
      />,
    );
  },
};

/** Predicted stars beside the user's average, so a low number is read as what it is. */
function PredictedStars({ prediction, mean }: { prediction: number; mean: number | null }) {
  return (
    <p class="score">
      <span class="score-badge">★{formatStars(prediction)}</span> predicted{mean !== null && (
        <>
          {" "}
          <span class="score-mean">your average ★{formatStars(mean)}</span>
        </>
      )}
    </p>
  );
}

export default function DashboardPage({ data }: { data: DashboardData }) {
  const { userId, rated, recommendations, coldStart, popular, source, tabs, listKeep, ratedKeep } =
    data;
  const neighbors = data.neighbors;
  const shown = TABS.find((t) => t.source === source)!;
  const { rows, total, page, pageSize, sort, order, meanRating } = rated;
  return (
    <>
      <section class="hero">
        <h1>Welcome back, user {userId}</h1>
        <form method="post" action="/start" class="persona-copy">
          <input type="hidden" name="_csrf" value={data.csrfToken} />
          <input type="hidden" name="persona" value="1" />
          <span>
            User {userId} is a MovieLens persona: their ratings are read-only.
          </span>{" "}
          <button type="submit" class="button-link">
            Start a profile of your own from these ratings
          </button>
        </form>
        <ul class="stats">
          <li>
            <strong>{COUNT.format(total)}</strong> {total === 1 ? "movie" : "movies"} rated
          </li>
          {meanRating !== null && (
            <li>
              <strong>★{formatStars(meanRating)}</strong> your average
            </li>
          )}
          <li>
            <strong>{neighbors.length}</strong> similar users
          </li>
        </ul>
      </section>

      {coldStart
        ? (
          <Panel
            id="recommended"
            titleId="recommended-title"
            title="Rate a few movies to get picks of your own"
            count={`the ${popular.length} most-rated movies`}
          >
            <p class="lede">
              There are no picks for you yet: these are the movies most people rated, not picks for
              you.
            </p>
            <div class="card-grid">
              {popular.map((m) => (
                <MovieCard key={m.movieId} movie={m}>
                  <p class="reason">One of the most-rated movies</p>
                </MovieCard>
              ))}
            </div>
          </Panel>
        )
        : (
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
                      <PredictedStars prediction={r.prediction} mean={meanRating} />
                      <p class="reason">{r.reason}</p>
                    </MovieCard>
                  ))}
                </div>
              )}
          </Panel>
        )}

      <Panel
        id="rated"
        titleId="rated-title"
        title="Movies you have rated"
        count={`${plural(total, "rating", "ratings")} in total`}
      >
        <Island
          name="RatedMovies"
          component={RatedMovies}
          props={{ userId, rows, total, page, pageSize, sort, order, keep: listKeep }}
        />
      </Panel>

      <Panel
        id="similar-users"
        titleId="similar-title"
        title="Users similar to you"
        count={`the ${plural(neighbors.length, "user", "users")} the similar-users list draws on`}
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
                {neighbors.map((n: UserNeighbor) => (
                  <tr key={n.userId}>
                    <td>User {n.userId}</td>
                    <td>
                      <span class="simbar">
                        <meter min={0} max={1} value={n.similarity} />
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
