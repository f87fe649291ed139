/** `/movies/:id`: one movie with poster, overview, links and similar movies. */
import type { Movie } from "../../lib/store/store.ts";
import { displayTitle, movielensUrl, type MovieView } from "../../lib/movie_view.ts";
import { imdbUrl, movieView, tmdbUrl } from "../../lib/movie_metadata.ts";
import { MovieCard, Poster } from "../../components/MovieCard.tsx";
import { Panel } from "../../components/Panel.tsx";
import { type AppContext, NotFoundError, parseId } from "../_http.ts";
import { movieAndSimilar, type SimilarMovieView, similarMovieViews } from "../_data.ts";
import { renderPage } from "../_render.tsx";
import { currentProfile } from "../_profiles.ts";
import { type RateContext, Stars } from "../../components/Stars.tsx";

export const SIMILAR_SHOWN = 12;

export interface MovieData {
  movie: Movie;
  view: MovieView;
  /** TMDB's id: from links.csv, or the one TMDB's /find resolved. */
  tmdbId: number | null;
  similar: SimilarMovieView[];
  /** A profile session's stars (this movie and the similar ones); null otherwise. */
  rate: RateContext | null;
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const movieId = parseId(c.req.param("id"), "movie id");
    const [movie, similarMovies] = await movieAndSimilar(deps, movieId, SIMILAR_SHOWN);
    if (!movie) throw new NotFoundError("movie", movieId);
    const [meta, similar, profile] = await Promise.all([
      deps.metadata.forMovies([movie]),
      similarMovieViews(deps, similarMovies),
      currentProfile(c),
    ]);
    let rate: RateContext | null = null;
    if (profile) {
      const [ratings, catalogue] = await Promise.all([
        deps.store.profileRatings(profile.profileId),
        deps.store.catalogue(),
      ]);
      rate = {
        scale: catalogue.scale,
        csrf: c.var.csrfToken,
        back: `/movies/${movieId}`,
        ratings: new Map(ratings.map((r) => [r.movieId, r.rating])),
      };
    }
    const entry = meta.get(movieId);
    const data: MovieData = {
      movie,
      view: movieView(movie, entry, deps.metadata.imageBase),
      tmdbId: entry?.tmdbId ?? movie.tmdbId,
      similar,
      rate,
    };
    return renderPage(c, displayTitle(movie.title), <MoviePage data={data} />);
  },
};

export default function MoviePage({ data }: { data: MovieData }) {
  const { movie, view, tmdbId, similar, rate } = data;
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
          <p class="overview">{view.overview ?? "No overview available yet."}</p>
          <Stars movie={movie} rate={rate} idPrefix="movie" />
          <ul class="movie-links">
            <li>
              <a href={movielensUrl(movie.movieId)} target="_blank" rel="noopener">
                MovieLens ↗
              </a>
            </li>
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
