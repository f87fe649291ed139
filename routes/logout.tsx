/**
 * `/logout`: POST (the header's sign-out button, CSRF-checked) ends the
 * session and revokes its id, so a copy of the cookie is no use either; GET
 * shows a sign-out button, so a link cannot log anyone out.
 */
import type { AppContext } from "./_http.ts";
import { endSession } from "./_middleware.ts";
import { renderPage } from "./_render.tsx";

export const handler = {
  GET(c: AppContext): Response {
    if (c.var.userId === null && c.var.profileId === null) return c.redirect("/login", 302);
    return renderPage(
      c,
      "Sign out",
      <LogoutPage data={{ csrfToken: c.var.csrfToken, profile: c.var.profileId !== null }} />,
    );
  },
  async POST(c: AppContext): Promise<Response> {
    await endSession(c, c.var.deps.session);
    return c.redirect("/login", 303);
  },
};

export default function LogoutPage(
  { data }: { data: { csrfToken: string; profile: boolean } },
) {
  return (
    <section class="login">
      <div class="login-card">
        <h1>Sign out?</h1>
        {data.profile && (
          <p class="lede">
            Your profile has no account: once signed out, this browser cannot reach it again, and it
            is deleted after 90 days. To delete it now, use “Forget me” on your picks page.
          </p>
        )}
        <form method="post" action="/logout">
          <input type="hidden" name="_csrf" value={data.csrfToken} />
          <button type="submit" class="button-primary">Sign out</button>
        </form>
      </div>
    </section>
  );
}
