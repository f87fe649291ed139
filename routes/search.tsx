/**
 * `/search?q=`: title search results as movie cards (lib/movie_search.ts via
 * routes/_search.ts), with the visitor's stars on each when a profile is
 * signed in. An empty or one-letter query shows the form and a hint.
 */
import { MovieCard } from "../components/MovieCard.tsx";
import { type RateContext, Stars } from "../components/Stars.tsx";
import { Panel } from "../components/Panel.tsx";
import { type AppContext, BadRequestError } from "./_http.ts";
import { viewsOf } from "./_data.ts";
import { searchMovies } from "./_search.ts";
import { currentProfile } from "./_profiles.ts";
import { renderPage } from "./_render.tsx";
import type { MovieView } from "../lib/movie_view.ts";

export const SEARCH_SHOWN = 24;
const COUNT = new Intl.NumberFormat("en-US");

export interface SearchData {
  query: string;
  results: { view: MovieView; ratingCount: number }[];
  rate: RateContext | null;
  /** Signed out: offer to start a profile. */
  anonymous: boolean;
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const query = (c.req.query("q") ?? "").trim();
    if (query.length > 200) throw new BadRequestError("q", "q must be at most 200 characters");
    const [hits, profile] = await Promise.all([
      searchMovies(deps, query, SEARCH_SHOWN),
      currentProfile(c),
    ]);
    const views = await viewsOf(deps, hits.map((h) => h.movie));
    let rate: RateContext | null = null;
    const personaId = c.var.userId;
    if (personaId !== null) {
      // A persona's own stars, read-only: one key lookup per hit.
      const [mine, catalogue] = await Promise.all([
        Promise.all(hits.map((h) => deps.store.userMovie(personaId, h.movie.movieId))),
        deps.store.catalogue(),
      ]);
      const ratings = new Map<number, number>();
      hits.forEach((h, i) => {
        if (mine[i].rating !== null) ratings.set(h.movie.movieId, mine[i].rating!);
      });
      rate = { scale: catalogue.scale, csrf: "", back: "", ratings, readOnly: true };
    } else if (profile) {
      const [ratings, catalogue] = await Promise.all([
        deps.store.profileRatings(profile.profileId),
        deps.store.catalogue(),
      ]);
      rate = {
        scale: catalogue.scale,
        csrf: c.var.csrfToken,
        back: `/search?q=${encodeURIComponent(query)}`,
        ratings: new Map(ratings.map((r) => [r.movieId, r.rating])),
      };
    }
    return renderPage(
      c,
      query ? `Search: ${query}` : "Search",
      <SearchPage
        data={{
          query,
          results: hits.map((h, i) => ({ view: views[i], ratingCount: h.ratingCount })),
          rate,
          anonymous: c.var.userId === null && !profile,
        }}
      />,
    );
  },
};

export default function SearchPage({ data }: { data: SearchData }) {
  const { query, results, rate, anonymous } = data;
  return (
    <>
      <section class="hero">
        <h1>{query ? `Movies matching “${query}”` : "Search movies"}</h1>
        <form class="search-form" action="/search" method="get" role="search">
          <label for="search-q" class="visually-hidden">Title</label>
          <input
            id="search-q"
            type="search"
            name="q"
            value={query}
            placeholder="A title, e.g. godfather"
          />
          <button type="submit" class="button-primary">Search</button>
        </form>
        {anonymous && (
          <p class="lede">
            To rate these movies and get picks of your own,{" "}
            <a href="/login">start without an account</a>.
          </p>
        )}
      </section>
      <Panel
        titleId="results-title"
        title="Results"
        count={query.replace(/[^\p{L}\p{N}]/gu, "").length < 2
          ? "type at least two letters"
          : `${results.length}${results.length === SEARCH_SHOWN ? "+" : ""} found`}
      >
        {results.length === 0
          ? (
            <p class="empty">
              {query ? `No title matches “${query}”.` : "Type a title above."}
            </p>
          )
          : (
            <div class="card-grid">
              {results.map(({ view, ratingCount }) => (
                <MovieCard key={view.movieId} movie={view}>
                  <p class="score">
                    {COUNT.format(ratingCount)} rating{ratingCount === 1 ? "" : "s"}
                  </p>
                  <Stars movie={view} rate={rate} idPrefix="search" />
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>
    </>
  );
}
