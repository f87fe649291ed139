/**
 * `/dashboard` for a visitor's profile session: the picks first (from the
 * profile's ratings, changing in place with every rating), then the movies
 * the visitor rated with their stars (change or remove), and "Forget me".
 */
import { MovieCard } from "../components/MovieCard.tsx";
import { Panel } from "../components/Panel.tsx";
import { Stars } from "../components/Stars.tsx";
import type { AppContext } from "./_http.ts";
import { endSession } from "./_middleware.ts";
import { currentProfile, PICKS_SHOWN } from "./_profiles.ts";
import { profilePage, type ProfilePageData } from "./_profile_page.ts";
import { renderPage } from "./_render.tsx";
import { PicksPanel } from "./_picks_panel.tsx";

/** Rated movies shown, newest first. */
export const RATED_SHOWN = 60;

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const profile = await currentProfile(c);
    if (!profile) {
      // Forgotten or expired: the cookie leads nowhere any more.
      await endSession(c);
      return c.redirect("/login", 302);
    }
    const data = await profilePage(
      c,
      profile,
      "/dashboard",
      (_, ratings) => ratings.slice(0, RATED_SHOWN).map((r) => r.movieId),
    );
    return renderPage(c, "Your picks", <ProfilePage data={data} />);
  },
};

export default function ProfilePage({ data }: { data: ProfilePageData }) {
  const { picks, rate, movies, ratings } = data;
  return (
    <>
      <section class="hero hero-compact">
        <h1>Your picks</h1>
        <p class="lede">
          A private profile in this browser: {ratings.length} movie{ratings.length === 1 ? "" : "s"}
          {" "}
          rated. <a href="/welcome">Rate more movies</a> or search above.
        </p>
      </section>
      <PicksPanel title="Recommended for you" picks={picks} rate={rate} limit={PICKS_SHOWN} />
      <Panel
        id="rated"
        titleId="rated-title"
        title="Movies you have rated"
        count={ratings.length > movies.length
          ? `the latest ${movies.length} of ${ratings.length}`
          : `${ratings.length} in total`}
      >
        {movies.length === 0
          ? (
            <p class="empty">
              No ratings yet. <a href="/welcome">Rate a few popular movies</a> to get picks.
            </p>
          )
          : (
            <div class="card-grid">
              {movies.map((m) => (
                <MovieCard key={m.movieId} movie={m}>
                  <Stars movie={m} rate={rate} idPrefix="rated" />
                </MovieCard>
              ))}
            </div>
          )}
      </Panel>
      <Panel
        id="forget"
        titleId="forget-title"
        title="Your data"
        count="kept 90 days after your last visit"
      >
        <p>
          Your ratings are stored on this server only for this browser's profile; they are deleted
          after 90 days without a visit.
        </p>
        <form method="post" action="/forget">
          <input type="hidden" name="_csrf" value={rate.csrf} />
          <button type="submit" class="button-danger">
            Forget me: delete my profile and ratings
          </button>
        </form>
      </Panel>
    </>
  );
}
