/** `/`: the dashboard when logged in, else the login page. */
import type { AppContext } from "./_http.ts";

export const handler = {
  GET(c: AppContext): Response {
    return c.redirect(c.var.userId === null ? "/login" : "/dashboard", 302);
  },
};
