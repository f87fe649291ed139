/**
 * A new visitor in real Chromium (playwright-core on /usr/bin/chromium),
 * against the real server from startWeb on a synthetic store: start without
 * an account → search → rate five movies → picks appear, and change with a
 * sixth rating (the models' fold-in, imported with the store as `pipeline` does); the same with JavaScript off (plain forms). Screenshots at
 * 1,400 px and at a phone's 390 px go to tests/output/visitor-*.png. The time
 * from a click on a star to the new picks in the page is printed (measured
 * inside the page), never asserted.
 */
import { absent } from "../fixtures/services.ts";
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { startWeb } from "../../tools/web.ts";
import { buildWebStore } from "./web_data.ts";
import { concatRatings, readRatingsTable } from "../../lib/ratings_table.ts";
import { buildRatingMatrix } from "../../lib/rating_matrix.ts";
import { rankingModelSpec, ratingModelSpec } from "../../lib/models/registry.ts";
import { foldInState } from "../../lib/models/fold_in_state.ts";
import { writeFoldInStateFile } from "../../lib/models/fold_in_file.ts";
import { runFiles } from "../../lib/run_dir.ts";
import { importStore } from "../../tools/import.ts";

/**
 * The serve step's fold-in state for the web store's data (the shipped ranking model and
 * knn-item, fit on both splits, as `pipeline` does), imported with the rest: the server then
 * recommends for visitors from their ratings (lib/models/fold_in.ts), not by popularity.
 */
async function addFoldIn(dir: string, db: string): Promise<void> {
  const files = runFiles(dir);
  const [{ table: train }, { table: test }] = await Promise.all([
    readRatingsTable(files.train),
    readRatingsTable(files.test),
  ]);
  const m = buildRatingMatrix(concatRatings(train, test));
  const ranker = await rankingModelSpec("ease-weighted").fit(m);
  const rater = await ratingModelSpec("knn-item").fit(m);
  await writeFoldInStateFile(files.foldIn, foldInState(ranker, rater, m), {
    rankingModel: "ease-weighted",
    ratingModel: "knn-item",
  });
  await importStore({ db, dir, progress: false });
}

Deno.env.set("__IS_WSL_TEST__", "1");
const { chromium } = await import("playwright-core");
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>["newPage"]>>;
Deno.env.delete("__IS_WSL_TEST__");

const CHROMIUM = "/usr/bin/chromium";
const OUT = new URL("../output/", import.meta.url);
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);

/** The picks' movie ids, in order. */
function pickIds(page: Page): Promise<number[]> {
  return page.locator(".live-picks .card-title a").evaluateAll((links) =>
    links.map((a) => Number((a as HTMLAnchorElement).pathname.split("/").pop()))
  );
}

/**
 * Clicks the `stars` label of the star form inside `scope` and waits for the
 * picks island to show the list that rating's answer carried; returns the
 * milliseconds from the click to the new list in the DOM, measured in the page.
 */
async function rateAndWait(page: Page, scope: string, stars: number): Promise<number> {
  return await page.evaluate(async ([scope, value]) => {
    const form = document.querySelector(scope)!.querySelector("form.rate-live")!;
    const input = form.querySelector<HTMLInputElement>(`input[name=rating][value="${value}"]`)!;
    const label = form.querySelector<HTMLLabelElement>(`label[for="${input.id}"]`)!;
    const picks = document.querySelector(".live-picks")!;
    const before = picks.getAttribute("data-version");
    const t0 = performance.now();
    const changed = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no new picks within 10 s")), 10_000);
      new MutationObserver((_, observer) => {
        const now = document.querySelector(".live-picks")!.getAttribute("data-version");
        if (now !== before) {
          observer.disconnect();
          clearTimeout(timer);
          // The new list is in the DOM; the next frame has it on screen.
          requestAnimationFrame(() => resolve(performance.now() - t0));
        }
      }).observe(picks, { attributes: true, attributeFilter: ["data-version"] });
    });
    label.click();
    return await changed;
  }, [scope, String(stars)] as const);
}

Deno.test({
  name: "a new visitor in Chromium",
  ignore: absent(
    "a new visitor in Chromium",
    hasChromium ? null : `${CHROMIUM} is missing (apt-get install chromium)`,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  assert.ok(hasChromium, `${CHROMIUM} is missing and RECSYS_REQUIRE_SERVICES=1`);
  const dir = await Deno.makeTempDir({ prefix: "recsys-visitor-e2e-" });
  await Deno.mkdir(OUT, { recursive: true });
  const db = await buildWebStore(dir, 0.003);
  await addFoldIn(dir, db);
  const titles =
    (parse(await Deno.readTextFile(`${dir}/movies.csv`), { from_line: 2 }) as string[][])
      .map((r) => r[1]);
  const web = await startWeb({
    db,
    port: 0,
    host: "127.0.0.1",
    quiet: true,
    tmdb: null,
    sessionSecret: "visitor-e2e-secret-0123456789",
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
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(String(e)));
    const timings: number[] = [];

    await t.step("the login page offers to start without an account", async () => {
      await page.goto(`${web.url}/login`);
      await page.screenshot({ path: new URL("visitor-login.png", OUT).pathname });
      await page.locator("button", { hasText: "Start without an account" }).click();
      await page.waitForURL(`${web.url}/welcome`);
      await page.locator(".picks-note", { hasText: "to get picks of your own" }).waitFor();
      assert.ok(await page.locator("#to-rate .card").count() >= 12);
      await page.screenshot({ path: new URL("visitor-welcome.png", OUT).pathname });
    });

    await t.step("the search box finds a movie, which is rated in place", async () => {
      // A title with an article behind ("Big Winter, The"), searched in natural order.
      const stored = titles.find((t) => /, The \(\d{4}\)$/.test(t))!;
      const natural = "the " + stored.replace(/, The \(\d{4}\)$/, "").toLowerCase();
      await page.locator("#site-q").fill(natural);
      await page.locator("#site-q").press("Enter");
      await page.waitForURL(/\/search\?q=/);
      const first = page.locator(".card").first();
      assert.equal(
        await first.locator(".card-title").textContent(),
        "The " + stored.replace(/, The \(\d{4}\)$/, ""),
      );
      await first.locator("form.rate-live").waitFor();
      await first.locator("label[title='4.5 stars']").click();
      await first.locator(".rate-status", { hasText: "Your rating: ★ 4.5" }).waitFor();
      await page.screenshot({ path: new URL("visitor-search.png", OUT).pathname });
    });

    let afterFive: number[] = [];
    await t.step("four more ratings: the picks follow each one", async () => {
      await page.goto(`${web.url}/welcome`);
      await page.locator(".live-picks").waitFor();
      for (let i = 0; i < 4; i++) {
        const card = `#to-rate .card:nth-child(${i + 1})`;
        await page.locator(`${card} form.rate-live`).waitFor();
        timings.push(await rateAndWait(page, card, [5, 4, 3, 4.5][i]));
      }
      assert.match(
        await page.locator(".picks-note").textContent() ?? "",
        /not rated yet|from your/,
      );
      afterFive = await pickIds(page);
      assert.ok(afterFive.length > 0, "picks appear");
      await page.evaluate(() => document.querySelector("#picks")!.scrollIntoView());
      await page.screenshot({ path: new URL("visitor-picks.png", OUT).pathname });
    });

    await t.step("a sixth rating changes the picks", async () => {
      // Rated from the picks themselves: the list must change.
      timings.push(await rateAndWait(page, ".live-picks .card:nth-child(1)", 2));
      const afterSix = await pickIds(page);
      assert.notDeepEqual(afterSix, afterFive);
      assert.ok(!afterSix.includes(afterFive[0]), "the rated pick left the list");
      // Folded in from the ratings: reasons cite a liked movie of the six.
      const reasons = await page.locator(".live-picks .reason").allTextContents();
      assert.ok(
        reasons.some((r) => /^Because you rated .+ ★(5\.0|4\.5|4\.0)$/.test(r)),
        reasons[0],
      );
    });

    await t.step("the dashboard lists the six ratings with their stars", async () => {
      await page.goto(`${web.url}/dashboard`);
      assert.equal(await page.locator("#rated .card").count(), 6);
      assert.equal(await page.locator("#rated .star-radio:checked").count(), 6);
      for (const id of ["#picks", "#rated", "#forget"]) {
        await page.locator(id).scrollIntoViewIfNeeded();
      }
      await page.screenshot({
        path: new URL("visitor-dashboard-1400.png", OUT).pathname,
        fullPage: true,
      });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${web.url}/dashboard`);
      await page.screenshot({ path: new URL("visitor-dashboard-390.png", OUT).pathname });
      await page.goto(`${web.url}/welcome`);
      await page.screenshot({ path: new URL("visitor-welcome-390.png", OUT).pathname });
      await page.setViewportSize({ width: 1400, height: 900 });
    });

    await t.step("the stars work from the keyboard", async () => {
      await page.goto(`${web.url}/dashboard`);
      const form = page.locator("#rated .card").first().locator("form.rate-live");
      await form.waitFor();
      const checked = form.locator(".star-radio:checked");
      const before = Number(await checked.getAttribute("value"));
      await checked.focus();
      await page.keyboard.press("ArrowLeft");
      await form.locator(".rate-status", { hasText: "Your rating" }).waitFor();
      const after = Number(await form.locator(".star-radio:checked").getAttribute("value"));
      assert.notEqual(after, before);
    });

    await t.step("Forget me deletes the profile", async () => {
      await page.goto(`${web.url}/dashboard`);
      await page.locator("button", { hasText: "Forget me" }).click();
      await page.locator("h1", { hasText: "Your profile is deleted" }).waitFor();
      await page.goto(`${web.url}/dashboard`);
      await page.waitForURL(`${web.url}/login`);
    });

    await t.step("no script errors or CSP violations happened", () => {
      assert.deepEqual(problems, []);
    });

    await t.step("without JavaScript the forms rate and go back", async () => {
      const plain = await browser.newContext({ javaScriptEnabled: false });
      const p = await plain.newPage();
      await p.goto(`${web.url}/login`);
      await p.locator("button", { hasText: "Start without an account" }).click();
      await p.waitForURL(`${web.url}/welcome`);
      const card = p.locator("#to-rate .card").first();
      await card.locator("label[title='4.0 stars']").click();
      await card.locator("button", { hasText: "Save" }).click();
      await p.waitForURL(`${web.url}/welcome`);
      assert.match(
        await p.locator(".picks-note").textContent() ?? "",
        /^Picked for you from your 1 rating\./,
      );
      await plain.close();
    });

    const sorted = [...timings].sort((a, b) => a - b);
    console.log(
      `rating → new picks on screen (Chromium, ${timings.length} ratings): ` +
        `median ${sorted[sorted.length >> 1].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms ` +
        `(${timings.map((x) => x.toFixed(1)).join(", ")})`,
    );
  } finally {
    await browser.close();
    await web.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
