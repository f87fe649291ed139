/**
 * The models' comparison (eval/compare.ts): a model that does not beat its
 * baseline is flagged (`losesToBaseline`) and warned about, and the HTML
 * report (eval/compare_report.tsx) shows each model's numbers and flags.
 */
import assert from "node:assert/strict";
import { compareOnTables, formatCompare } from "../eval/compare.ts";
import { renderCompareReport } from "../eval/compare_report.tsx";
import { ratingsTable } from "./fixtures/ratings_rows.ts";

/** `"u m r; u m r; …"` as rows. */
const rows = (text: string) =>
  text.split(";").map((r) => r.trim().split(/\s+/).map(Number) as [number, number, number]);
// Users 1–2 rate high, 3–4 low, so the bias model's b_u helps; movie 1 is everyone's, then 2, 3.
const TRAIN = ratingsTable(
  rows(
    "1 1 5; 1 2 5; 1 5 4; 2 1 5; 2 2 4; 2 6 5; 3 1 2; 3 3 1; 3 5 2; 4 1 1; 4 2 2; 4 6 1; 5 1 3; 5 3 3",
  ),
);
// Each user's relevant test movie is the most popular one they have not rated: popularity is
// perfect (NDCG 1), so no ranking model can beat it; ratings follow the users' levels.
const TEST = ratingsTable([[1, 3, 5], [2, 3, 5], [3, 2, 1], [4, 3, 2], [5, 2, 4]]);

/** Cells of each `<tr>` of the table with this id, tags stripped, with the row's class. */
function tableRows(html: string, id: string): { cls: string | null; cells: string[] }[] {
  const table = html.match(new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`));
  assert.ok(table, `table #${id} present`);
  return [...table[1].matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map((tr) => ({
    cls: /class="([^"]+)"/.exec(tr[1])?.[1] ?? null,
    cells: [...tr[2].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      c[1].replace(/<!--.*?-->/g, "").replace(/<[^>]+>/g, "").trim()
    ),
  }));
}

Deno.test("model comparison", async (t) => {
  // μ alone: biases shrunk to nothing by a huge λ.
  const flat = "bias:regUser=1000000,regItem=1000000";
  const part = await compareOnTables(TRAIN, TEST, {
    models: [flat, "bias", "ease", "popularity"],
    top: 10,
    rankUsers: 0,
    workers: 1,
  });
  const r = { train: "train.csv", test: "test.csv", ...part };

  await t.step("baselines first; a configuration is its own row", () => {
    assert.deepEqual(r.rating.map((x) => x.name), ["bias", flat]);
    assert.deepEqual(r.ranking.map((x) => x.name), ["popularity", "ease"]);
  });

  await t.step("a rating model with a higher RMSE than bias loses to it", () => {
    const [bias, mu] = r.rating;
    assert.equal(bias.losesToBaseline, false);
    // The flat model predicts μ for everyone.
    const m = 43 / 14; // μ: the 14 training ratings sum to 43
    const expected = Math.sqrt([5, 5, 1, 2, 4].reduce((s, x) => s + (m - x) ** 2, 0) / 5);
    assert.ok(Math.abs(mu.rmse - expected) < 1e-4, `${mu.rmse} vs ${expected}`);
    assert.ok(mu.rmse > bias.rmse);
    assert.equal(mu.losesToBaseline, true);
    assert.ok(r.warnings.some((w) => w.startsWith(`warning: ${flat} loses to the bias baseline`)));
  });

  await t.step("a ranking model that only ties popularity loses to it", () => {
    const [pop, ease] = r.ranking;
    assert.equal(pop.ndcg, 1);
    assert.equal(pop.losesToBaseline, false);
    assert.ok(ease.ndcg <= 1);
    assert.equal(ease.losesToBaseline, true);
    assert.ok(r.warnings.some((w) => w.startsWith("warning: ease loses to the popularity")));
    assert.match(formatCompare(r), /ease .*LOSES TO BASELINE/);
  });

  await t.step("the report shows each model's numbers, the baseline and the losers", () => {
    const html = renderCompareReport(r);
    const rating = tableRows(html, "rating");
    assert.deepEqual(rating[0].cells.slice(0, 4), ["model", "RMSE", "MAE", "coverage"]);
    assert.equal(rating[1].cls, "base");
    assert.deepEqual(rating[1].cells.slice(0, 4), [
      "bias",
      r.rating[0].rmse.toFixed(4),
      r.rating[0].mae.toFixed(4),
      "100.0 %",
    ]);
    assert.equal(rating[2].cls, "loses");
    assert.equal(rating[2].cells[0], flat);
    assert.equal(rating[2].cells[1], r.rating[1].rmse.toFixed(4));
    const ranking = tableRows(html, "ranking");
    assert.equal(ranking[0].cells[1], "NDCG@10");
    assert.deepEqual(ranking[1].cells.slice(0, 3), ["popularity", "1.0000", "0.1000"]);
    assert.equal(ranking[2].cls, "loses");
    assert.equal(ranking[2].cells[0], "ease");
    for (const w of r.warnings) assert.ok(html.includes(w.replaceAll('"', "&quot;")), w);
    assert.match(html, /train train\.csv \(14 ratings\), test test\.csv \(5 ratings\)/);
  });
});
