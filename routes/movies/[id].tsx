/** `/movies/:id`: one movie with poster, overview, links and similar movies. */
import type { Movie } from "../../lib/store/store.ts";
import { displayTitle, type MovieView } from "../../lib/movie_view.ts";
import { imdbUrl, movieView, tmdbUrl } from "../../lib/movie_metadata.ts";
import { MovieCard, Poster } from "../../components/MovieCard.tsx";
import { Panel } from "../../components/Panel.tsx";
import { type AppContext, NotFoundError, parseId } from "../_http.ts";
import { movieAndSimilar, type SimilarMovieView, similarMovieViews } from "../_data.ts";
import { renderPage } from "../_render.tsx";

export const SIMILAR_SHOWN = 12;

export interface MovieData {
  movie: Movie;
  view: MovieView;
  /** TMDB's id: from links.csv, or the one TMDB's /find resolved. */
  tmdbId: number | null;
  similar: SimilarMovieView[];
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const movieId = parseId(c.req.param("id"), "movie id");
    const [movie, similarMovies] = await movieAndSimilar(deps, movieId, SIMILAR_SHOWN);
    if (!movie) throw new NotFoundError("movie", movieId);
    const [meta, similar] = await Promise.all([
      deps.metadata.forMovies([movie]),
      similarMovieViews(deps, similarMovies),
    ]);
    const entry = meta.get(movieId);
    const data: MovieData = {
      movie,
      view: movieView(movie, entry, deps.metadata.imageBase, await deps.store.movielensIds()),
      tmdbId: entry?.tmdbId ?? movie.tmdbId,
      similar,
    };
    return renderPage(c, displayTitle(movie.title), <MoviePage data={data} />);
  },
};

export default function MoviePage({ data }: { data: MovieData }) {
  const { movie, view, tmdbId, similar } = data;
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
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>
    </>
  );
}
