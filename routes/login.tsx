/**
 * `/login`: the user id form. POST checks the id (a number, a user in the
 * store), starts a signed session and redirects to the dashboard; a bad id
 * gets the form again with a message and 400 (not a number) or 404 (no such
 * user).
 */
import { Island } from "../components/Island.tsx";
import UserIdSuggest from "../islands/UserIdSuggest.tsx";
import type { AppContext } from "./_http.ts";
import { startSession } from "./_middleware.ts";
import { renderPage } from "./_render.tsx";

export interface LoginData {
  csrfToken: string;
  examples: number[];
  value: string;
  error: string | null;
}

const EXAMPLES = 8;

async function showForm(
  c: AppContext,
  value: string,
  error: string | null,
  status: 200 | 400 | 404,
): Promise<Response> {
  const examples = await c.var.deps.store.sampleUserIds(EXAMPLES);
  return renderPage(
    c,
    "Sign in",
    <LoginPage data={{ csrfToken: c.var.csrfToken, examples, value, error }} />,
    status,
  );
}

/** The login check as a pure function of the submitted text: an id or a message. */
function parseUserId(text: string): number | string {
  if (text === "") return "Enter your user id.";
  if (!/^[0-9]+$/.test(text)) {
    return `“${text.slice(0, 40)}” is not a user id: use digits only, like 42.`;
  }
  const id = Number(text);
  // 0 is a user id like any other (every imported user can sign in).
  if (!Number.isSafeInteger(id) || id < 0 || id > 2_147_483_647) {
    return `${text.slice(0, 40)} is not a valid user id.`;
  }
  return id;
}

export const handler = {
  GET(c: AppContext): Promise<Response> | Response {
    if (c.var.userId !== null || c.var.profileId !== null) return c.redirect("/dashboard", 302);
    return showForm(c, "", null, 200);
  },
  async POST(c: AppContext): Promise<Response> {
    const body = await c.req.parseBody();
    const picked = typeof body.pick === "string" ? body.pick : "";
    const typed = typeof body.userId === "string" ? body.userId : "";
    const text = (picked || typed).trim();
    const parsed = parseUserId(text);
    if (typeof parsed === "string") return showForm(c, text, parsed, 400);
    if (!(await c.var.deps.store.userExists(parsed))) {
      return showForm(c, text, `There is no user ${parsed} in this data set.`, 404);
    }
    startSession(c, parsed, c.var.deps.session);
    return c.redirect("/dashboard", 303);
  },
};

export default function LoginPage({ data }: { data: LoginData }) {
  return (
    <section class="login">
      <div class="login-card">
        <h1>Sign in</h1>
        <p class="lede">
          Pick a MovieLens user to see the movies they rated, what collaborative filtering
          recommends for them and the users who rate most like them.
        </p>
        <form method="post" action="/login" class="login-form" novalidate>
          <input type="hidden" name="_csrf" value={data.csrfToken} />
          <Island
            name="UserIdSuggest"
            component={UserIdSuggest}
            props={{ examples: data.examples, value: data.value, error: data.error }}
          />
          <button type="submit" class="button-primary">Show my recommendations</button>
        </form>
      </div>
      <div class="login-card start-card">
        <h2>New here?</h2>
        <p class="lede">
          Rate a few movies you have seen and get picks of your own: a private profile kept for this
          browser only, no account or e-mail.
        </p>
        <form method="post" action="/start">
          <input type="hidden" name="_csrf" value={data.csrfToken} />
          <button type="submit" class="button-start">Start without an account</button>
        </form>
      </div>
    </section>
  );
}
