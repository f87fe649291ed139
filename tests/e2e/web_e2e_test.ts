/**
 * End to end in real Chromium (playwright-core driving /usr/bin/chromium):
 * a store built from synthetic data, a fake TMDB (API and poster images) on
 * a local port, the real server from startWeb. Screenshots go to
 * tests/output/; with RECSYS_UPDATE_DOCS=1 the dashboard one is also saved
 * as docs/dashboard.png for the README.
 */
import { absent } from "../fixtures/services.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { parse } from "csv-parse/sync";
import { startWeb } from "../../tools/web.ts";
import { buildWebStore } from "./web_data.ts";

// playwright-core probes /proc/sys/fs/binfmt_misc/WSLInterop when it loads (is-wsl), a path
// Deno only lets --allow-all read; this variable makes that probe lazy (it is only used to
// open files in a desktop app, never to launch a browser).
Deno.env.set("__IS_WSL_TEST__", "1");
const { chromium } = await import("playwright-core");
type Browser = Awaited<ReturnType<typeof chromium.launch>>;
Deno.env.delete("__IS_WSL_TEST__");

const CHROMIUM = "/usr/bin/chromium";
const OUT = new URL("../output/", import.meta.url);
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

/** A PNG's width and height, from its IHDR chunk (bytes 16–23, after the signature). */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR", "a PNG");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** How many distinct colours a PNG's pixels have, decoded by the browser. */
async function distinctColours(browser: Browser, png: Uint8Array): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < rgba.length; i += 4) {
        colours.add((rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2]);
      }
      return colours.size;
    }, `data:image/png;base64,${Buffer.from(png).toString("base64")}`);
  } finally {
    await page.close();
  }
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A TMDB stand-in: /3/movie/:id with an overview, and SVG posters under /t/p/w185/. */
function fakeTmdb(titles: Map<number, string>) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    const movie = /^\/3\/movie\/(\d+)$/.exec(path);
    if (movie) {
      const tmdbId = Number(movie[1]);
      // synth writes tmdbId = 10000 + 3 · movieId.
      const movieId = (tmdbId - 10000) / 3;
      const title = titles.get(movieId) ?? "this film";
      return Response.json({
        id: tmdbId,
        poster_path: `/poster-${movieId}.svg`,
        overview: `${title.replace(/ \(\d{4}\)$/, "")}: two strangers, one long night and a ` +
          `secret neither can keep. A quietly gripping story about trust, luck and second chances.`,
      });
    }
    const poster = /^\/t\/p\/w185\/poster-(\d+)\.svg$/.exec(path);
    if (poster) {
      const id = Number(poster[1]);
      const hue = (id * 47) % 360;
      const title = escapeXml((titles.get(id) ?? "").replace(/ \(\d{4}\)$/, ""));
      const words = title.split(" ");
      const lines: string[] = [];
      for (const w of words) {
        if (lines.length && (lines.at(-1)! + " " + w).length <= 14) {
          lines[lines.length - 1] += " " + w;
        } else lines.push(w);
      }
      const svg =
        `<svg xmlns="http://www.w3.org/2000/svg" width="185" height="278" viewBox="0 0 185 278">
<defs><linearGradient id="g" x1="0" y1="0" x2="0.6" y2="1">
<stop offset="0" stop-color="hsl(${hue},65%,52%)"/><stop offset="1" stop-color="hsl(${
          (hue + 50) % 360
        },55%,12%)"/>
</linearGradient></defs>
<rect width="185" height="278" fill="url(#g)"/>
<circle cx="${40 + (id * 13) % 110}" cy="${60 + (id * 7) % 80}" r="${
          38 + (id % 30)
        }" fill="rgba(255,255,255,0.16)"/>
<circle cx="${150 - (id * 11) % 90}" cy="${120 + (id * 5) % 60}" r="${
          22 + (id % 20)
        }" fill="rgba(0,0,0,0.18)"/>
${
          lines.slice(0, 4).map((l, i) =>
            `<text x="14" y="${
              196 + i * 20
            }" font-family="Georgia, serif" font-size="18" font-weight="700" fill="#fff">${l}</text>`
          ).join("\n")
        }
</svg>`;
      return new Response(svg, { headers: { "content-type": "image/svg+xml" } });
    }
    return Response.json({ movie_results: [] }, {
      status: path.startsWith("/3/find/") ? 200 : 404,
    });
  });
  return { server, origin: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test({
  name: "web app in Chromium",
  ignore: absent(
    "web app in Chromium",
    hasChromium ? null : `${CHROMIUM} is missing (apt-get install chromium)`,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  assert.ok(hasChromium, `${CHROMIUM} is missing and RECSYS_REQUIRE_SERVICES=1`);
  const dir = await Deno.makeTempDir({ prefix: "recsys-e2e-" });
  await Deno.mkdir(OUT, { recursive: true });
  const db = await buildWebStore(dir, 0.003);
  const titles = new Map<number, string>(
    (parse(await Deno.readTextFile(`${dir}/movies.csv`), { from_line: 2 }) as string[][])
      .map((r) => [Number(r[0]), r[1]]),
  );
  const tmdb = fakeTmdb(titles);
  const web = await startWeb({
    db,
    port: 0,
    host: "127.0.0.1",
    quiet: true,
    sessionSecret: "e2e-secret-0123456789abcdef",
    tmdb: {
      apiBase: `${tmdb.origin}/3`,
      imageBase: `${tmdb.origin}/t/p/w185`,
      apiKey: "e2e",
    },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));

    await t.step("the login island suggests user ids as you type", async () => {
      await page.goto(`${web.url}/login`);
      await page.locator("#userId").pressSequentially("1");
      await page.locator(".examples-label", { hasText: "Matching users:" }).waitFor();
      const chips = await page.locator(".chip").allTextContents();
      assert.ok(chips.length > 0);
      for (const c of chips) assert.ok(c.startsWith("1"), `suggestion ${c}`);
      await page.locator("#userId").pressSequentially("x");
      await page.locator("#userId-message", { hasText: "A user id is a number" }).waitFor();
      await page.screenshot({ path: new URL("login.png", OUT).pathname });
    });

    await t.step("an unknown user id gets the form again with a message", async () => {
      await page.locator("#userId").fill("999999");
      await page.locator("button.button-primary").click();
      await page.locator("#userId-message", { hasText: "There is no user 999999" }).waitFor();
      // Chromium logs the 404 answer itself as a console error; that one is expected.
      problems.length = 0;
    });

    await t.step("logging in shows three filled sections", async () => {
      await page.locator("#userId").fill("1");
      await page.locator("button.button-primary").click();
      await page.waitForURL(`${web.url}/dashboard`);
      await page.locator("h1", { hasText: "Welcome back, user 1" }).waitFor();
      assert.ok(await page.locator(".rated-table tbody tr").count() > 0);
      // Up to 30: a heavy synthetic user has rated most of the few hundred movies.
      const cards = await page.locator("#recommended .card").count();
      assert.ok(cards > 0 && cards <= 30, `${cards} cards`);
      assert.ok(await page.locator(".neighbors-table tbody tr").count() > 0);
      // The ranking model's list first, each card saying which rated movie it comes from.
      assert.equal(
        await page.locator("#recommended .tab[aria-current=page]").textContent(),
        "Top picks for you",
      );
      // A reason cites a movie the user liked (≥ ★3.5), or none.
      const reasons = await page.locator("#recommended .reason").allTextContents();
      for (const r of reasons) {
        const m = /^Because you rated .+ ★(\d\.\d)$/.exec(r);
        if (m) assert.ok(Number(m[1]) >= 3.5, r);
        else assert.equal(r, "Picked from all your ratings");
      }
    });

    await t.step("the switch shows the list from similar users, and back", async () => {
      const modelTitles = await page.locator("#recommended .card-title").allTextContents();
      await page.locator("#recommended .tab", { hasText: "From similar users" }).click();
      await page.waitForURL(/\?list=similar-users#recommended$/);
      assert.equal(
        await page.locator("#recommended .tab[aria-current=page]").textContent(),
        "From similar users",
      );
      const reasons = await page.locator("#recommended .reason").allTextContents();
      assert.ok(reasons.length > 0);
      for (const r of reasons) assert.match(r, /^Liked by \d+ of your similar users$/);
      const seedTitles = await page.locator("#recommended .card-title").allTextContents();
      assert.notDeepEqual(seedTitles, modelTitles);
      await page.evaluate(() => document.querySelector("#recommended")!.scrollIntoView());
      await page.mouse.move(0, 0);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: new URL("dashboard-similar-users.png", OUT).pathname });
      await page.locator("#recommended .tab", { hasText: "Top picks for you" }).click();
      await page.waitForURL(/\?list=model#recommended$/);
      assert.deepEqual(
        await page.locator("#recommended .card-title").allTextContents(),
        modelTitles,
      );
    });

    await t.step("posters come from the TMDB image base", async () => {
      // First view waited for TMDB within its budget; reload to see every poster cached.
      await page.reload();
      const img = page.locator("#recommended .card img.poster").first();
      await img.waitFor();
      assert.match(await img.getAttribute("src") ?? "", /\/t\/p\/w185\/poster-\d+\.svg$/);
      // Attached is not loaded: naturalWidth is 0 until the image's load event, which may come
      // after waitFor() returns (one failure in two full runs). Wait for that event.
      const width = await img.evaluate((el) => {
        const image = el as HTMLImageElement;
        // complete: loaded, or already failed (then naturalWidth is 0 and the assert says so).
        if (image.complete) return image.naturalWidth;
        return new Promise<number>((resolve, reject) => {
          image.addEventListener("load", () => resolve(image.naturalWidth), { once: true });
          image.addEventListener("error", () => reject(new Error(`${image.src} failed`)), {
            once: true,
          });
        });
      });
      assert.ok(width > 0);
    });

    await t.step("hovering a poster shows its overview", async () => {
      const card = page.locator("#recommended .card").first();
      const overlay = card.locator(".card-overlay");
      assert.equal(await overlay.evaluate((el) => getComputedStyle(el).opacity), "0");
      await card.locator(".card-poster").hover();
      await page.waitForFunction(
        (el) => getComputedStyle(el!).opacity === "1",
        await overlay.elementHandle(),
      );
      assert.match(await overlay.textContent() ?? "", /two strangers, one long night/);
      await page.screenshot({ path: new URL("dashboard-hover.png", OUT).pathname });
    });

    await t.step("keyboard focus shows the overview too", async () => {
      await page.mouse.move(0, 0);
      const second = page.locator("#recommended .card").nth(1);
      await second.locator(".card-poster").focus();
      await page.waitForFunction(
        (el) => getComputedStyle(el!).opacity === "1",
        await second.locator(".card-overlay").elementHandle(),
      );
    });

    await t.step("the rated table sorts in place once hydrated", async () => {
      // A full navigation (the island's fallback) would drop this marker.
      await page.evaluate(() => (globalThis as { stayed?: boolean }).stayed = true);
      await page.locator("th.col-title a.sort").click();
      await page.waitForURL(/sort=title&order=asc/);
      await page.locator(".rated[aria-busy='false'] th.col-title a.active.asc").waitFor();
      const titlesShown = await page.locator(".rated-table tbody .col-title > a:first-child")
        .allTextContents();
      const sorted = [...titlesShown].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      assert.ok(titlesShown.length > 1);
      assert.deepEqual(
        titlesShown.map((s) => s.toLowerCase()),
        sorted.map((s) => s.toLowerCase()).sort(),
      );
      assert.equal(await page.evaluate(() => (globalThis as { stayed?: boolean }).stayed), true);
    });

    await t.step("the dashboard screenshot shows the filled page", async () => {
      await page.goto(`${web.url}/dashboard`);
      await page.mouse.move(0, 0);
      // Lazy images below the fold load only once scrolled to.
      for (const id of ["#rated", "#recommended", "#similar-users"]) {
        await page.locator(id).scrollIntoViewIfNeeded();
      }
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: new URL("dashboard-full.png", OUT).pathname, fullPage: true });
      // The top of the page: the picks come first.
      await page.evaluate(() => scrollTo(0, 0));
      await page.locator("#recommended .card").nth(2).locator(".card-poster").hover();
      await page.waitForTimeout(300);
      const shot = new URL("dashboard.png", OUT).pathname;
      await page.screenshot({ path: shot, clip: { x: 0, y: 0, width: 1280, height: 760 } });
      const png = await Deno.readFile(shot);
      assert.deepEqual(pngSize(png), { width: 1280, height: 760 });
      // Posters and antialiased text give thousands of colours (18,664 when written; the
      // login page, without posters, 1,543); a blank page has one.
      const colours = await distinctColours(browser, png);
      assert.ok(colours > 2000, `${colours} colours`);
      const full = pngSize(await Deno.readFile(new URL("dashboard-full.png", OUT)));
      assert.equal(full.width, 1280);
      assert.ok(full.height > 900, `the full page is ${full.height} px high`);
      if (Deno.env.get("RECSYS_UPDATE_DOCS") === "1") {
        await Deno.copyFile(shot, new URL("../../docs/dashboard.png", import.meta.url));
      }
    });

    await t.step("the picks come first, above the fold on a desktop and on a phone", async () => {
      for (const viewport of [{ width: 1400, height: 900 }, { width: 390, height: 844 }]) {
        const ctx = await browser.newContext({ viewport });
        const p = await ctx.newPage();
        await p.goto(`${web.url}/login`);
        await p.locator("#userId").fill("1");
        await p.locator("button.button-primary").click();
        await p.waitForURL(`${web.url}/dashboard`);
        const where = await p.evaluate(() => {
          const top = (sel: string) =>
            document.querySelector(sel)!.getBoundingClientRect().top + scrollY;
          const card = document.querySelector("#recommended .card")!;
          return {
            recommended: top("#recommended"),
            firstCard: top("#recommended .card"),
            rated: top("#rated"),
            similar: top("#similar-users"),
            // The picks precede the rated movies in the document, not only on screen.
            before: !!(card.compareDocumentPosition(document.querySelector("#rated")!) &
              Node.DOCUMENT_POSITION_FOLLOWING),
          };
        });
        // Tab stops until the first card's link has the focus.
        let tabs = 0;
        for (; tabs < 100; tabs++) {
          await p.keyboard.press("Tab");
          const inCard = await p.evaluate(() =>
            !!document.activeElement?.closest("#recommended .card")
          );
          if (inCard) break;
        }
        console.log(
          `picks at ${viewport.width} px: section ${Math.round(where.recommended)} px, first ` +
            `card ${Math.round(where.firstCard)} px, rated ${Math.round(where.rated)} px; ` +
            `${tabs + 1} tab stops to the first card`,
        );
        assert.ok(where.before);
        assert.ok(where.recommended < where.rated && where.rated < where.similar);
        assert.ok(where.firstCard < viewport.height, `first card at ${where.firstCard} px`);
        await p.screenshot({
          path: new URL(`dashboard-${viewport.width}.png`, OUT).pathname,
        });
        await ctx.close();
      }
    });

    await t.step("a movie page shows details, links and similar movies", async () => {
      const link = page.locator("#recommended .card-title a").first();
      const title = (await link.textContent())!;
      await link.click();
      await page.waitForURL(/\/movies\/\d+$/);
      assert.equal(
        await page.locator(".movie-info h1").evaluate((el) => el.firstChild?.textContent),
        title,
      );
      assert.match(await page.locator(".overview").textContent() ?? "", /two strangers/);
      assert.equal(await page.locator(".movie-links a", { hasText: "MovieLens" }).count(), 1);
      assert.equal(await page.locator(".movie-links a", { hasText: "IMDb" }).count(), 1);
      assert.ok(await page.locator(".card").count() > 0, "similar movies");
      await page.screenshot({ path: new URL("movie.png", OUT).pathname });
    });

    await t.step("no script errors or CSP violations happened", () => {
      assert.deepEqual(problems, []);
    });

    await t.step("pages work with JavaScript disabled", async () => {
      const plain = await browser.newContext({ javaScriptEnabled: false });
      const p = await plain.newPage();
      await p.goto(`${web.url}/login`);
      await p.locator("#userId").fill("2");
      await p.locator("button.button-primary").click();
      await p.locator("h1", { hasText: "Welcome back, user 2" }).waitFor();
      await p.locator("a[rel=next]").click();
      await p.waitForURL(/page=2/);
      await p.locator(".pager-pos", { hasText: "Page 2 of" }).waitFor();
      await p.locator("#recommended .tab", { hasText: "From similar users" }).click();
      await p.waitForURL(/list=similar-users/);
      assert.match(
        await p.locator("#recommended .reason").first().textContent() ?? "",
        /similar users/,
      );
      await plain.close();
    });
  } finally {
    await browser.close();
    await web.shutdown();
    await tmdb.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
