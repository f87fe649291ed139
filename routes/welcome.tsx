/**
 * `/welcome`: a new visitor's onboarding page: search, a varied list of
 * popular movies to rate (routes/_profiles.ts `onboardingMovies`), and the
 * picks, which appear with the first rating and change with every one.
 * Only for a profile session (others go to the login page).
 */
import { MovieCard } from "../components/MovieCard.tsx";
import { Panel } from "../components/Panel.tsx";
import { Stars } from "../components/Stars.tsx";
import type { AppContext } from "./_http.ts";
import { currentProfile, onboardingMovies } from "./_profiles.ts";
import { profilePage, type ProfilePageData } from "./_profile_page.ts";
import { renderPage } from "./_render.tsx";
import { PicksPanel } from "./_picks_panel.tsx";

export const TO_RATE = 24;
/** Picks shown beside the list to rate (the dashboard shows the full list). */
export const WELCOME_PICKS = 6;

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const profile = await currentProfile(c);
    if (!profile) return c.redirect("/login", 302);
    const data = await profilePage(
      c,
      profile,
      "/welcome",
      (catalogue, ratings) =>
        onboardingMovies(catalogue, new Set(ratings.map((r) => r.movieId)), TO_RATE),
      WELCOME_PICKS,
    );
    return renderPage(c, "Rate a few movies", <WelcomePage data={data} />);
  },
};

export default function WelcomePage({ data }: { data: ProfilePageData }) {
  const { picks, rate, movies } = data;
  return (
    <>
      <section class="hero">
        <h1>Rate a few movies you have seen</h1>
        <p class="lede">
          Your profile is private to this browser; no account, no e-mail. Rate movies with the
          stars, or search for ones you know; your picks below change with every rating.{" "}
          <a href="/dashboard">See all your picks</a>.
        </p>
        <form class="search-form" action="/search" method="get" role="search">
          <label for="welcome-q" class="visually-hidden">Title</label>
          <input
            id="welcome-q"
            type="search"
            name="q"
            placeholder="Search a title, e.g. godfather"
          />
          <button type="submit" class="button-primary">Search</button>
        </form>
      </section>
      <PicksPanel
        title="Your picks"
        picks={picks}
        rate={rate}
        limit={WELCOME_PICKS}
        coldCards={false}
      />
      <Panel
        id="to-rate"
        titleId="to-rate-title"
        title="Popular movies to rate"
        count="the most-rated movies, across genres"
      >
        {movies.length === 0
          ? <p class="empty">You have rated all of them: search for more.</p>
          : (
            <div class="card-grid">
              {movies.map((m) => (
                <MovieCard key={m.movieId} movie={m}>
                  <Stars movie={m} rate={rate} idPrefix="rate" />
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>
    </>
  );
}
