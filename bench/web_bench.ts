/**
 * Bench entry `web-dashboard`: the web server under load on loopback.
 *
 * The store is the bench context's split plus the generated neighbor and
 * recommendation files of `import-sqlite` (bench/import_bench.ts: top-50
 * neighbors for every user and movie, top-100 recommendations for every
 * user), imported once into `<bench dir>/web-bench.schema-<version>.db`. The server is
 * startWeb() in this process with the `web` command's default threads (so
 * peak RSS is the server's, Workers included); the load
 * generator is Debian's `wrk` (apt-get install wrk): 64 connections, 2
 * threads, 20 s against `/dashboard` (session cookies of 200 random users,
 * obtained through the real login form) and then 20 s against
 * `/api/users/:id/recommendations` for the same users. Target: p99 < 50 ms,
 * no errors. Both sides share the machine's cores.
 */
import { importStore } from "../tools/import.ts";
import { importInput } from "./import_bench.ts";
import { DEFAULT_THREADS, startWeb } from "../tools/web.ts";
import type { BenchEntry } from "./context.ts";
import { describeWrk as describe, runWrk } from "./wrk.ts";
import { DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION } from "../lib/store/schema.ts";

const CONNECTIONS = 64, SECONDS = 20, USERS = 200;

/** The cookies of a session for `userId`, through GET /login and POST /login like a browser. */
async function login(base: string, userId: number): Promise<string> {
  const form = await fetch(`${base}/login`);
  const html = await form.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const csrf = form.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (!token) throw new Error("web-dashboard: no CSRF token on /login");
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf },
    body: new URLSearchParams({ _csrf: token, userId: String(userId) }),
  });
  await res.body?.cancel();
  const session = res.headers.getSetCookie().find((c) => c.startsWith("recsys_session="));
  if (res.status !== 303 || !session) {
    throw new Error(`web-dashboard: login as ${userId} failed (${res.status})`);
  }
  // Both cookies, as a browser sends them (without the CSRF one every page sets a new one).
  return `${csrf}; ${session.split(";")[0]}`;
}

/** The largest user id and the number of training ratings in the store. */
function userRange(dbPath: string): { maxUser: number; ratings: number } {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const r = db.prepare("SELECT MAX(user_id) AS maxUser, COUNT(*) AS ratings FROM ratings_train")
      .get() as { maxUser: number; ratings: number };
    return { maxUser: r.maxUser, ratings: r.ratings };
  } finally {
    db.close();
  }
}

export const webDashboardEntry: BenchEntry = {
  name: "web-dashboard",
  description: `wrk, ${CONNECTIONS} connections x ${SECONDS} s on /dashboard and ` +
    "/api/users/:id/recommendations (target p99 < 50 ms, no errors)",
  async run(ctx) {
    const input = await importInput(ctx);
    // Named by schema version: a store cached under an older schema is rebuilt.
    const dbPath = await ctx.ensure(`web-bench.schema-${SCHEMA_VERSION}.db`, async (path) => {
      const tmp = `${path}.tmp-${Deno.pid}`;
      await importStore({ db: `sqlite:${tmp}`, dir: input, progress: false });
      await Deno.rename(tmp, path);
      for (const p of [`${tmp}-wal`, `${tmp}-shm`]) await Deno.remove(p).catch(() => {});
    });
    // From the store, not by parsing ratings_train.csv in this process, which also runs the
    // server's main thread: the 25M-rating table counted in the measured peak RSS (950 MiB
    // with it, 660–740 without).
    const { maxUser, ratings } = userRange(dbPath);
    // Synthetic user ids are 1..N; pick USERS of them spread over the range.
    const users = Array.from({ length: USERS }, (_, i) => 1 + Math.floor((i * 7919) % maxUser));
    const web = await startWeb({
      db: `sqlite:${dbPath}`,
      port: 0,
      host: "127.0.0.1",
      quiet: true,
      tmdb: null,
      sessionSecret: "bench-secret-0123456789abcdef",
      threads: DEFAULT_THREADS,
      // It signs in USERS sessions from one address before the load starts.
      loginRateLimit: { limit: 10 * USERS, windowMs: 60_000 },
    });
    try {
      const cookies: string[] = [];
      for (const u of users) cookies.push(await login(web.url, u));
      const lua = (path: string) =>
        `local users = {${users.join(",")}}
local cookies = {${cookies.map((c) => JSON.stringify(c)).join(",")}}
local n = 0
request = function()
  n = n + 1
  local i = (n * 31 + math.random(#users)) % #users + 1
  ${path}
end
`;
      const load = { connections: CONNECTIONS, seconds: SECONDS, entry: "web-dashboard" };
      const dashboard = await runWrk(
        web.url,
        lua(`return wrk.format("GET", "/dashboard", { ["Cookie"] = cookies[i] })`),
        load,
      );
      const api = await runWrk(
        web.url,
        lua(`return wrk.format("GET", "/api/users/" .. users[i] .. "/recommendations")`),
        load,
      );
      return {
        seconds: dashboard.seconds + api.seconds,
        work: dashboard.requests + api.requests,
        unit: "requests",
        extra: {
          store: `sqlite, ${maxUser} users, ${ratings} training ratings`,
          dashboard: describe(dashboard),
          recommendationsApi: describe(api),
          target: "p99 < 50 ms, 0 errors",
        },
      };
    } finally {
      await web.shutdown();
    }
  },
};
