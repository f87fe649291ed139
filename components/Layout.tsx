/**
 * The page frame: head, header with the title search (every page), the
 * session's user (a persona) or profile and sign-out, footer.
 */
import type { ComponentChildren } from "preact";

/** The URLs of what every page's head links to. */
export interface PageAssets {
  /** URL of the stylesheet. */
  style: string;
  /** URL of the favicon. */
  icon: string;
  /** URL of the islands bundle, or null when pages are served without islands. */
  script: string | null;
}

export interface LayoutProps {
  title: string;
  userId: number | null;
  /** A visitor's profile session (no user id). */
  profile?: boolean;
  csrfToken: string;
  assets: PageAssets;
  children: ComponentChildren;
}

export function Layout(
  { title, userId, profile = false, csrfToken, assets, children }: LayoutProps,
) {
  const signedIn = userId !== null || profile;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · recsys32m`}</title>
        <link rel="icon" href={assets.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={assets.style} />
        {assets.script && <script type="module" src={assets.script} defer />}
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="container header-inner">
            <a class="brand" href={signedIn ? "/dashboard" : "/login"}>
              <span class="brand-mark" aria-hidden="true">▶</span> recsys32m
            </a>
            <form class="site-search" action="/search" method="get" role="search">
              <label for="site-q" class="visually-hidden">Search movies</label>
              <input id="site-q" type="search" name="q" placeholder="Search movies" />
              <button type="submit" class="site-search-button">Search</button>
            </form>
            <nav class="site-nav" aria-label="Account">
              {!signedIn ? <a href="/login">Sign in</a> : (
                <>
                  <a href="/dashboard">{profile ? "Your picks" : "Dashboard"}</a>
                  {profile
                    ? <a href="/welcome">Rate movies</a>
                    : <span class="whoami">User {userId}</span>}
                  {/* A profile has no account: its sign-out page says what signing out loses. */}
                  {csrfToken && !profile
                    ? (
                      <form method="post" action="/logout" class="logout-form">
                        <input type="hidden" name="_csrf" value={csrfToken} />
                        <button type="submit" class="button-link">Sign out</button>
                      </form>
                    )
                    : <a href="/logout" class="button-link">Sign out</a>}
                </>
              )}
            </nav>
          </div>
        </header>
        <main id="main" class="container">{children}</main>
        <footer class="site-footer">
          <div class="container">
            Ratings: MovieLens (GroupLens Research). Posters and overviews: TMDB. This product uses
            the TMDB API but is not endorsed or certified by TMDB.
          </div>
        </footer>
      </body>
    </html>
  );
}
