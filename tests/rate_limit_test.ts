import assert from "node:assert/strict";
import { Hono } from "hono";
import { rateLimit } from "../routes/_rate_limit.ts";
import { TooManyRequestsError } from "../routes/_http.ts";

/** A tiny app behind one limiter on a fake clock; clients are told apart by `x-client`. */
function limited(limit: number, windowMs: number, maxClients?: number) {
  let now = 1_000_000;
  const app = new Hono();
  app.use(
    "*",
    rateLimit({
      name: "login",
      limit,
      windowMs,
      maxClients,
      key: (c) => c.req.header("x-client") ?? "none",
      now: () => now,
    }),
  );
  app.post("/login", (c) => c.text("ok"));
  app.get("/login", (c) => c.text("form"));
  app.onError((err, c) => {
    if (!(err instanceof TooManyRequestsError)) throw err;
    c.header("Retry-After", String(err.retryAfterSeconds));
    return c.text(err.message, 429);
  });
  const hit = (client: string, method = "POST") =>
    app.request("/login", { method, headers: { "x-client": client } });
  return { hit, advance: (ms: number) => now += ms };
}

Deno.test("rate limit per client", async (t) => {
  await t.step(
    "allows `limit` requests per window, then answers 429 with Retry-After",
    async () => {
      const { hit } = limited(3, 60_000);
      for (let i = 0; i < 3; i++) assert.equal((await hit("a")).status, 200);
      const res = await hit("a");
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("retry-after"), "60");
      assert.match(await res.text(), /Too many login requests.*try again in 60 s/);
    },
  );

  await t.step("Retry-After counts down to the end of the client's window", async () => {
    const { hit, advance } = limited(1, 60_000);
    await hit("a");
    advance(45_500);
    const res = await hit("a");
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "15");
    await res.body?.cancel();
  });

  await t.step("another client keeps its own allowance", async () => {
    const { hit } = limited(1, 60_000);
    assert.equal((await hit("a")).status, 200);
    assert.equal((await hit("a")).status, 429);
    assert.equal((await hit("b")).status, 200);
  });

  await t.step("a new window starts a new allowance", async () => {
    const { hit, advance } = limited(1, 60_000);
    await hit("a");
    assert.equal((await hit("a")).status, 429);
    advance(60_000);
    assert.equal((await hit("a")).status, 200);
  });

  await t.step("requests past the limit do not extend the wait", async () => {
    const { hit, advance } = limited(1, 10_000);
    await hit("a");
    for (let i = 0; i < 5; i++) {
      advance(1_000);
      await (await hit("a")).body?.cancel();
    }
    advance(5_000);
    assert.equal((await hit("a")).status, 200);
  });

  await t.step("tracks at most maxClients, forgetting the oldest window first", async () => {
    const { hit } = limited(1, 60_000, 2);
    await hit("a");
    await hit("b");
    await hit("c"); // "a" is forgotten: it may start again
    assert.equal((await hit("a")).status, 200);
    assert.equal((await hit("c")).status, 429);
  });
});
