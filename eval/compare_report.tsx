/**
 * The report of `eval` over the models layer: one self-contained HTML page
 * (inline CSS and SVG, no script) with the rating table beside the bias
 * baseline, the ranking table beside popularity, a bar chart of each
 * headline metric, and the warnings.
 */
import type { CompareResult } from "./compare.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";
import { BASE_CSS, renderPage } from "./html_page.tsx";

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

/** The baseline's row is "base"; a model that loses to it is "loses". */
function rowClass(k: number, losesToBaseline: boolean): string | undefined {
  return k === 0 ? "base" : losesToBaseline ? "loses" : undefined;
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
          <table id="rating">
            <thead>
              <tr>
                <th>model</th>
                <th>RMSE</th>
                <th>MAE</th>
                <th>coverage</th>
                <th>fit (s)</th>
                <th>scales to ML-32M</th>
                <th>what it is</th>
              </tr>
            </thead>
            <tbody>
              {r.rating.map((x, k) => (
                <tr
                  key={x.name}
                  class={rowClass(k, x.losesToBaseline)}
                >
                  <td>{x.name}</td>
                  <td class="num">{fixedOrNa(x.rmse, 4)}</td>
                  <td class="num">{fixedOrNa(x.mae, 4)}</td>
                  <td class="num">{percentOrNa(x.coverage, 1)}</td>
                  <td class="num">{x.fitSeconds.toFixed(2)}</td>
                  <td>{x.scales ? "yes" : "no"}</td>
                  <td>{x.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
          <table id="ranking">
            <thead>
              <tr>
                <th>model</th>
                <th>NDCG@{r.n}</th>
                <th>P@{r.n}</th>
                <th>recall@{r.n}</th>
                <th>MAP@{r.n}</th>
                <th>hit rate</th>
                <th>catalog coverage</th>
                <th>users</th>
                <th>fit (s)</th>
                <th>scales to ML-32M</th>
              </tr>
            </thead>
            <tbody>
              {r.ranking.map((x, k) => (
                <tr
                  key={x.name}
                  class={rowClass(k, x.losesToBaseline)}
                >
                  <td>{x.name}</td>
                  <td class="num">{fixedOrNa(x.ndcg, 4)}</td>
                  <td class="num">{fixedOrNa(x.precision, 4)}</td>
                  <td class="num">{fixedOrNa(x.recall, 4)}</td>
                  <td class="num">{fixedOrNa(x.map, 4)}</td>
                  <td class="num">{fixedOrNa(x.hitRate, 4)}</td>
                  <td class="num">{percentOrNa(x.catalogCoverage, 1)}</td>
                  <td class="num">{x.users}</td>
                  <td class="num">{x.fitSeconds.toFixed(2)}</td>
                  <td>{x.scales ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
