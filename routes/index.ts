/** `/`: the dashboard when signed in (a persona or a profile), else the login page. */
import type { AppContext } from "./_http.ts";

export const handler = {
  GET(c: AppContext): Response {
    const signedIn = c.var.userId !== null || c.var.profileId !== null;
    return c.redirect(signedIn ? "/dashboard" : "/login", 302);
  },
};
