/**
 * `POST /forget` ("Forget me", CSRF-checked): deletes the session's profile
 * and all its ratings, revokes the session and clears its cookie. Without a
 * profile session it only ends the session.
 */
import type { AppContext } from "./_http.ts";
import { endSession } from "./_middleware.ts";
import { renderPage } from "./_render.tsx";

export const handler = {
  async POST(c: AppContext): Promise<Response> {
    const profileId = c.var.profileId;
    if (profileId !== null) await c.var.deps.store.deleteProfile(profileId);
    await endSession(c, c.var.deps.session);
    c.set("profileId", null);
    c.set("userId", null);
    return renderPage(c, "Profile deleted", <ForgottenPage />);
  },
};

export default function ForgottenPage() {
  return (
    <section class="login">
      <div class="login-card">
        <h1>Your profile is deleted</h1>
        <p class="lede">Its ratings are gone from this server, and this browser is signed out.</p>
        <a class="button-primary" href="/login">Back to the start</a>
      </div>
    </section>
  );
}
