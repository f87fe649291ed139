/**
 * The report of `eval` over the models layer: one self-contained HTML page
 * (inline CSS and SVG, no script) with the rating table beside the bias
 * baseline, the ranking table beside popularity, a bar chart of each
 * headline metric, and the warnings.
 */
import type { CompareResult } from "./compare_result.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";
import { h } from "preact";
import { BASE_CSS, HeadRow, renderPage } from "./html_page.tsx";

const CSS = BASE_CSS + `
tr.base td{color:#555}tr.loses td{background:#fdecea}.warn{color:#a40000;font-weight:600}
svg text{font-size:11px;fill:#333}.muted{color:#666}`;

/** Horizontal bars of one metric, longest = best unless `lowerIsBetter`. */
function Bars(
  { rows, label }: { rows: Array<{ name: string; value: number }>; label: string },
) {
  const max = Math.max(...rows.map((r) => (Number.isFinite(r.value) ? r.value : 0)), 1e-9);
  const h = 18;
  return (
    <figure>
      <svg width="560" height={rows.length * h + 8} role="img" aria-label={label}>
        {rows.map((r, k) => (
          <g key={r.name}>
            <text x="0" y={k * h + 13}>{r.name}</text>
            <rect
              x="140"
              y={k * h + 3}
              width={Math.max(0, (r.value / max) * 340)}
              height={h - 6}
              fill="#4a78b5"
            />
            <text x={146 + Math.max(0, (r.value / max) * 340)} y={k * h + 13}>
              {fixedOrNa(r.value, 4)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/**
 * A model's cells: its name, the numbers (right-aligned), then text. Made
 * with `h`: keyless, as the cells of the row template were.
 */
function modelCells(name: string, nums: Array<string | number>, text: string[]) {
  return [
    h("td", null, name),
    ...nums.map((v) => h("td", { class: "num" }, v)),
    ...text.map((t) => h("td", null, t)),
  ];
}

/** The baseline's row is "base"; a model that loses to it is "loses". */
function rowClass(k: number, losesToBaseline: boolean): string | undefined {
  return k === 0 ? "base" : losesToBaseline ? "loses" : undefined;
}

/**
 * A model table: the baseline first, one row per model, its cells from
 * `cells` (numbers, then text) after its name.
 */
function ModelTable<T extends { name: string; losesToBaseline: boolean }>(
  { id, head, rows, cells }: {
    id: string;
    head: string[];
    rows: T[];
    cells: (x: T) => [Array<string | number>, string[]];
  },
) {
  return (
    <table id={id}>
      <HeadRow names={head} />
      <tbody>
        {rows.map((x, k) => (
          <tr key={x.name} class={rowClass(k, x.losesToBaseline)}>
            {modelCells(x.name, ...cells(x))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ r }: { r: CompareResult }) {
  return (
    <>
      <h1>Model comparison</h1>
      <p class="muted">
        train {r.train} ({r.trainRatings} ratings), test {r.test} ({r.testRatings} ratings)
      </p>
      {r.warnings.map((w) => <p key={w} class="warn">{w}</p>)}
      {r.rating.length > 0 && (
        <section>
          <h2>Rating prediction</h2>
          <ModelTable
            id="rating"
            head={["model", "RMSE", "MAE", "coverage", "fit (s)", "scales to ML-32M", "what it is"]}
            rows={r.rating}
            cells={(x) => [
              [
                fixedOrNa(x.rmse, 4),
                fixedOrNa(x.mae, 4),
                percentOrNa(x.coverage, 1),
                x.fitSeconds.toFixed(2),
              ],
              [x.scales ? "yes" : "no", x.summary],
            ]}
          />
          <Bars
            rows={r.rating.map((x) => ({ name: x.name, value: x.rmse }))}
            label="RMSE (lower is better); the first row is the bias baseline"
          />
        </section>
      )}
      {r.ranking.length > 0 && (
        <section>
          <h2>Top-{r.n} ranking</h2>
          <p class="muted">{r.protocol}</p>
          <ModelTable
            id="ranking"
            head={[
              "model",
              `NDCG@${r.n}`,
              `P@${r.n}`,
              `recall@${r.n}`,
              `MAP@${r.n}`,
              "hit rate",
              "catalog coverage",
              "users",
              "fit (s)",
              "scales to ML-32M",
            ]}
            rows={r.ranking}
            cells={(x) => [
              [
                ...[x.ndcg, x.precision, x.recall, x.map, x.hitRate].map((v) => fixedOrNa(v, 4)),
                percentOrNa(x.catalogCoverage, 1),
                x.users,
                x.fitSeconds.toFixed(2),
              ],
              [x.scales ? "yes" : "no"],
            ]}
          />
          <Bars
            rows={r.ranking.map((x) => ({ name: x.name, value: x.ndcg }))}
            label={`NDCG@${r.n} (higher is better); the first row is the popularity baseline`}
          />
        </section>
      )}
    </>
  );
}

/** The page as a string. */
export function renderCompareReport(r: CompareResult): string {
  return renderPage("recsys32m model comparison", CSS, <Body r={r} />);
}
