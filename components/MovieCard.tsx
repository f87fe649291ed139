/**
 * A movie card: poster (or a placeholder), a dark overlay with the overview
 * shown on hover and on keyboard focus of the poster link (pure CSS), title,
 * year, genres, an optional score line and links to the movie page and to
 * MovieLens (when the data's ids are movielens.org's).
 */
import type { ComponentChildren } from "preact";
import { displayTitle, genreList, type MovieView } from "../lib/movie_view.ts";

export function Poster({ movie, size = "card" }: { movie: MovieView; size?: "card" | "large" }) {
  const title = displayTitle(movie.title);
  if (movie.posterUrl) {
    return (
      <img
        class={`poster poster-${size}`}
        src={movie.posterUrl}
        alt={`Poster of ${title}`}
        loading="lazy"
        width={185}
        height={278}
      />
    );
  }
  const hue = (movie.movieId * 47) % 360;
  return (
    <div
      class={`poster poster-${size} poster-placeholder hue-${Math.floor(hue / 30)}`}
      role="img"
      aria-label={`No poster for ${title}`}
    >
      <span class="placeholder-title">{title}</span>
      {movie.year !== null && <span class="placeholder-year">{movie.year}</span>}
    </div>
  );
}

export function MovieCard({ movie, children }: { movie: MovieView; children?: ComponentChildren }) {
  const title = displayTitle(movie.title);
  return (
    <article class="card">
      <a class="card-poster" href={`/movies/${movie.movieId}`} aria-label={`${title}: details`}>
        <Poster movie={movie} />
        <div class="card-overlay">
          <p>{movie.overview ?? "No overview yet."}</p>
          <span class="overlay-more">Details →</span>
        </div>
      </a>
      <div class="card-body">
        <h3 class="card-title">
          <a href={`/movies/${movie.movieId}`}>{title}</a>
        </h3>
        <p class="card-meta">
          {[movie.year, genreList(movie.genres)].filter((x) => x !== null).join(" · ")}
        </p>
        {children}
        {movie.movielensUrl && (
          <a class="ext" href={movie.movielensUrl} target="_blank" rel="noopener">
            MovieLens ↗
          </a>
        )}
      </div>
    </article>
  );
}
