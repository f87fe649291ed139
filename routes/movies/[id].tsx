/**
 * `/movies/:id`: one movie with poster, overview, links, its average rating
 * and rating count (both splits, from the catalogue) and similar movies;
 * for a signed-in user also their rating of it, or else their predicted
 * stars (from their lists, or folded in from their ratings when the app has
 * a live recommender) beside their average.
 */
import type { Movie, MovieRatings } from "../../lib/store/store.ts";
import { displayTitle, formatStars, type MovieView } from "../../lib/movie_view.ts";
import { imdbUrl, movieView, tmdbUrl } from "../../lib/movie_metadata.ts";
import { MovieCard, Poster } from "../../components/MovieCard.tsx";
import { Panel } from "../../components/Panel.tsx";
import { type AppContext, NotFoundError, parseId } from "../_http.ts";
import { movieAndSimilar, type SimilarMovieView, similarMovieViews } from "../_data.ts";
import { renderPage } from "../_render.tsx";
import { currentProfile, liveOf } from "../_profiles.ts";
import { type RateContext, Stars } from "../../components/Stars.tsx";

export const SIMILAR_SHOWN = 12;
/** One formatter for all requests. */
const COUNT = new Intl.NumberFormat("en-US");

export interface MovieData {
  movie: Movie;
  view: MovieView;
  /** TMDB's id: from links.csv, or the one TMDB's /find resolved. */
  tmdbId: number | null;
  similar: SimilarMovieView[];
  /** A profile session's stars (this movie and the similar ones); null otherwise. */
  rate: RateContext | null;
  /** The signed-in user's view of the movie; null when signed out. */
  you: YourStars | null;
  /** Everyone's ratings of it (both splits): how many, and the mean stars (null: none). */
  ratings: MovieRatings;
}

/** A signed-in user's stars for the movie. */
export interface YourStars {
  /** Their rating; null when they did not rate it. */
  rating: number | null;
  /** Predicted stars when they did not rate it; null when nothing predicts it. */
  prediction: number | null;
  /** Their mean stars over all their ratings. */
  mean: number | null;
}

/** Ratings read per page when a prediction is folded in (at most 5 pages). */
const FOLD_IN_PAGE = 1000;

/**
 * The user's predicted stars for `movieId` folded in from all their ratings
 * (lib/live_recommender.ts), when the app has a live recommender; null otherwise.
 */
async function foldedIn(c: AppContext, userId: number, movieId: number): Promise<number | null> {
  const { deps } = c.var;
  if (!deps.live) return null;
  const given: { movieId: number; rating: number }[] = [];
  for (let offset = 0; offset < 5 * FOLD_IN_PAGE; offset += FOLD_IN_PAGE) {
    const page = await deps.store.ratedMovies(userId, {
      sort: "date",
      order: "desc",
      offset,
      limit: FOLD_IN_PAGE,
    });
    for (const r of page.items) given.push({ movieId: r.movie.movieId, rating: r.rating });
    if (offset + FOLD_IN_PAGE >= page.total) break;
  }
  return deps.live.recommend(given, 0, [movieId]).predictions[0]?.prediction ?? null;
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const movieId = parseId(c.req.param("id"), "movie id");
    const userId = c.var.userId;
    const [[movie, similarMovies], mine, rated, catalogue] = await deps.store.snapshot(() =>
      Promise.all([
        movieAndSimilar(deps, movieId, SIMILAR_SHOWN),
        userId === null ? null : deps.store.userMovie(userId, movieId),
        // An empty page: the user's mean rides on it.
        userId === null
          ? null
          : deps.store.ratedMovies(userId, { sort: "date", order: "desc", offset: 0, limit: 0 }),
        // The average and count of every movie are in the in-memory catalogue.
        deps.store.catalogue(),
      ])
    );
    if (!movie) throw new NotFoundError("movie", movieId);
    let you: YourStars | null = null;
    if (userId !== null && mine && rated) {
      const prediction = mine.rating !== null
        ? null
        : mine.prediction ?? await foldedIn(c, userId, movieId);
      you = { rating: mine.rating, prediction, mean: rated.meanRating };
    }
    const [meta, similar, profile] = await Promise.all([
      deps.metadata.forMovies([movie]),
      similarMovieViews(deps, similarMovies),
      currentProfile(c),
    ]);
    let rate: RateContext | null = null;
    if (profile) {
      const ratings = await deps.store.profileRatings(profile.profileId);
      rate = {
        scale: catalogue.scale,
        csrf: c.var.csrfToken,
        back: `/movies/${movieId}`,
        ratings: new Map(ratings.map((r) => [r.movieId, r.rating])),
      };
      // A profile's own stars, or its prediction from its ratings (fold-in, else the average).
      const rating = rate.ratings.get(movieId) ?? null;
      const given = ratings.map((r) => ({ movieId: r.movieId, rating: r.rating }));
      you = {
        rating,
        prediction: rating !== null || given.length === 0
          ? null
          : liveOf(deps, catalogue).live.recommend(given, 0, [movieId]).predictions[0]
            ?.prediction ?? null,
        mean: given.length ? given.reduce((a, r) => a + r.rating, 0) / given.length : null,
      };
    }
    const entry = meta.get(movieId);
    const data: MovieData = {
      movie,
      view: movieView(movie, entry, deps.metadata.imageBase, await deps.store.movielensIds()),
      tmdbId: entry?.tmdbId ?? movie.tmdbId,
      similar,
      rate,
      you,
      ratings: catalogue.ratings.get(movieId) ?? { count: 0, mean: null },
    };
    return renderPage(c, displayTitle(movie.title), <MoviePage data={data} />);
  },
};

function YourStarsLine({ you }: { you: YourStars }) {
  const mean = you.mean === null ? null : `your average ★${formatStars(you.mean)}`;
  if (you.rating !== null) {
    return (
      <p class="your-stars">
        <span class="score-badge">★{formatStars(you.rating)}</span> your rating
        {mean && <span class="score-mean">· {mean}</span>}
      </p>
    );
  }
  if (you.prediction !== null) {
    return (
      <p class="your-stars">
        <span class="score-badge">★{formatStars(you.prediction)}</span> predicted for you
        {mean && <span class="score-mean">· {mean}</span>}
      </p>
    );
  }
  return <p class="your-stars muted">You have not rated it; no prediction for you.</p>;
}

export default function MoviePage({ data }: { data: MovieData }) {
  const { movie, view, tmdbId, similar, rate, you, ratings } = data;
  const genres = movie.genres.filter((g) => g !== "(no genres listed)");
  return (
    <>
      <article class="movie">
        <div class="movie-poster">
          <Poster movie={view} size="large" />
        </div>
        <div class="movie-info">
          <h1>
            {displayTitle(movie.title)}
            {movie.year !== null && <span class="movie-year">{movie.year}</span>}
          </h1>
          <ul class="genre-chips" aria-label="Genres">
            {genres.length
              ? genres.map((g) => <li key={g}>{g}</li>)
              : <li class="muted">No genres listed</li>}
          </ul>
          <p class="movie-ratings">
            {ratings.count === 0 || ratings.mean === null ? "No ratings yet" : (
              <>
                <span class="score-badge">★{formatStars(ratings.mean)}</span> average of{" "}
                {COUNT.format(ratings.count)} {ratings.count === 1 ? "rating" : "ratings"}
              </>
            )}
          </p>
          {you && <YourStarsLine you={you} />}
          <p class="overview">{view.overview ?? "No overview available yet."}</p>
          <Stars movie={movie} rate={rate} idPrefix="movie" />
          <ul class="movie-links">
            {view.movielensUrl && (
              <li>
                <a href={view.movielensUrl} target="_blank" rel="noopener">
                  MovieLens ↗
                </a>
              </li>
            )}
            {movie.imdbId && (
              <li>
                <a href={imdbUrl(movie.imdbId)} target="_blank" rel="noopener">IMDb ↗</a>
              </li>
            )}
            {tmdbId !== null && (
              <li>
                <a href={tmdbUrl(tmdbId)} target="_blank" rel="noopener">TMDB ↗</a>
              </li>
            )}
          </ul>
        </div>
      </article>
      <Panel
        titleId="similar-movies-title"
        title="Similar movies"
        count="from item-item similarity"
      >
        {similar.length === 0
          ? <p class="empty">No similar movies for this one.</p>
          : (
            <div class="card-grid">
              {similar.map((s) => (
                <MovieCard key={s.movieId} movie={s}>
                  <p class="score">
                    <span class="score-badge">{s.similarity.toFixed(2)}</span> similarity
                  </p>
                  <Stars movie={s} rate={rate} idPrefix="similar" />
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>
    </>
  );
}
