/**
 * The `eval --report` page: one self-contained HTML file (inline CSS, SVG
 * charts rendered on the server with Preact, no script, no external
 * resource) showing the metrics table with the baselines beside the model,
 * RMSE vs K, the error histogram, coverage and the ranking metrics.
 */
import type { EvalResult, ModelMetrics } from "./eval_result.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";
import { BASE_CSS, HeadRow, renderPage } from "./html_page.tsx";

const CSS = BASE_CSS + `
tr.cf td{font-weight:600}figure{margin:1rem 0}figcaption{color:#555;font-size:.9em}
svg text{font-size:11px;fill:#333}.muted{color:#666}`;

function MetricsRow({ name, k, m }: { name: string; k: string; m: ModelMetrics }) {
  return (
    <tr class={name.includes("CF") ? "cf" : undefined}>
      <td>{name}</td>
      <td class="num">{k}</td>
      <td class="num">{fixedOrNa(m.rmse, 4)}</td>
      <td class="num">{fixedOrNa(m.mae, 4)}</td>
      <td class="num">{percentOrNa(m.coverage, 2)}</td>
      <td class="num">{m.predicted}</td>
    </tr>
  );
}

function MetricsTable({ r }: { r: EvalResult }) {
  const b = r.baselines;
  return (
    <table id="metrics">
      <HeadRow names={["predictor", "K", "RMSE", "MAE", "coverage", "predicted"]} />
      <tbody>
        {r.byK.map((x) => (
          <MetricsRow key={x.k} name={`${r.model}-based CF`} k={String(x.k)} m={x} />
        ))}
        {r.fallback && <MetricsRow name="CF + bias fallback" k={String(r.k)} m={r.fallback} />}
        <MetricsRow name="global mean" k="" m={b.globalMean} />
        <MetricsRow name="user mean" k="" m={b.userMean} />
        <MetricsRow name="item mean" k="" m={b.itemMean} />
        <MetricsRow name="bias μ + b_u + b_i" k="" m={b.bias} />
      </tbody>
    </table>
  );
}

const W = 520, H = 220, PAD = 40;

function RmseVsK({ r }: { r: EvalResult }) {
  const ks = r.byK.map((x) => x.k);
  const ys = [...r.byK.map((x) => x.rmse), r.baselines.bias.rmse].filter(Number.isFinite);
  if (ys.length === 0) return <p class="muted">no predictions</p>;
  const lo = Math.min(...ys) * 0.98, hi = Math.max(...ys) * 1.02;
  const kMax = Math.max(...ks), kMin = Math.min(...ks);
  const x = (k: number) =>
    PAD + (kMax === kMin ? (W - 2 * PAD) / 2 : (k - kMin) / (kMax - kMin) * (W - 2 * PAD));
  const y = (v: number) => H - PAD - (v - lo) / (hi - lo || 1) * (H - 2 * PAD);
  const pts = r.byK.filter((p) => Number.isFinite(p.rmse)).map((p) => `${x(p.k)},${y(p.rmse)}`);
  const by = y(r.baselines.bias.rmse);
  return (
    <svg id="rmse-vs-k" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img">
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="#999" />
      <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} stroke="#999" />
      <line x1={PAD} y1={by} x2={W - PAD} y2={by} stroke="#c44" stroke-dasharray="5 4" />
      <text x={W - PAD} y={by - 4} text-anchor="end">
        bias baseline {fixedOrNa(r.baselines.bias.rmse, 4)}
      </text>
      <polyline points={pts.join(" ")} fill="none" stroke="#2463b3" stroke-width="2" />
      {r.byK.map((p) => (
        <g key={p.k}>
          <circle cx={x(p.k)} cy={y(p.rmse)} r="3.5" fill="#2463b3" />
          <text x={x(p.k)} y={H - PAD + 15} text-anchor="middle">{p.k}</text>
          <text x={x(p.k)} y={y(p.rmse) - 8} text-anchor="middle">{fixedOrNa(p.rmse, 4)}</text>
        </g>
      ))}
      <text x={W / 2} y={H - 6} text-anchor="middle">K (neighbors)</text>
      <text x={12} y={PAD - 12}>RMSE</text>
    </svg>
  );
}

function ErrorHistogram({ r }: { r: EvalResult }) {
  const { counts, min, width } = r.histogram;
  const max = Math.max(1, ...counts);
  const bw = (W - 2 * PAD) / counts.length;
  return (
    <svg id="error-histogram" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img">
      {counts.map((c, b) => {
        const h = c / max * (H - 2 * PAD);
        return (
          <rect key={b} x={PAD + b * bw} y={H - PAD - h} width={bw - 1} height={h} fill="#2463b3">
            <title>
              [{(min + b * width).toFixed(2)}, {(min + (b + 1) * width).toFixed(2)}): {c}
            </title>
          </rect>
        );
      })}
      <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="#999" />
      {[-4, -2, 0, 2, 4].map((e) => (
        <text key={e} x={PAD + (e - min) / width * bw} y={H - PAD + 15} text-anchor="middle">
          {e}
        </text>
      ))}
      <text x={W / 2} y={H - 6} text-anchor="middle">prediction − rating (stars)</text>
    </svg>
  );
}

function CoverageBar({ r }: { r: EvalResult }) {
  const w = (W - 2 * PAD) * (Number.isFinite(r.coverage) ? r.coverage : 0);
  return (
    <svg id="coverage" width={W} height={50} viewBox={`0 0 ${W} 50`} role="img">
      <rect x={PAD} y={10} width={W - 2 * PAD} height={18} fill="#eee" />
      <rect x={PAD} y={10} width={w} height={18} fill="#2a9d5b" />
      <text x={PAD} y={44}>
        {r.predicted} of {r.total} test ratings predicted ({percentOrNa(r.coverage, 2)})
      </text>
    </svg>
  );
}

function RankingTable({ r }: { r: EvalResult }) {
  const k = r.ranking;
  const rows: [string, string][] = [
    [`precision@${k.n}`, fixedOrNa(k.precision, 4)],
    [`recall@${k.n}`, fixedOrNa(k.recall, 4)],
    [`NDCG@${k.n}`, fixedOrNa(k.ndcg, 4)],
    ["hit rate", fixedOrNa(k.hitRate, 4)],
    [`MAP@${k.n}`, fixedOrNa(k.map, 4)],
    ["catalog coverage", percentOrNa(k.catalogCoverage, 2)],
    [
      "mean candidates per user",
      fixedOrNa(k.meanCandidates, 1),
    ],
  ];
  return (
    <table id="ranking">
      <tbody>
        {rows.map(([a, b]) => (
          <tr key={a}>
            <td>{a}</td>
            <td class="num">{b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ r }: { r: EvalResult }) {
  const k = r.ranking;
  return (
    <>
      <h1>{r.model}-based collaborative filtering</h1>
      <p class="muted">
        {r.total} test ratings, K = {r.byK.map((x) => x.k).join(", ")}, {r.seconds.toFixed(2)}{" "}
        s. Neighbors: {String(r.options.neighbors)}.
      </p>
      <h2>Rating accuracy</h2>
      <MetricsTable r={r} />
      <p class="muted">
        Baselines are fitted on the same training ratings and scored on the same test ratings (100 %
        coverage; unknown users or items fall back to the global mean, resp. a zero bias). Bias
        baseline: λ_u = {r.baselines.bias.regUser}, λ_i = {r.baselines.bias.regItem},{" "}
        {r.baselines.bias.iterations} ALS iterations.
      </p>
      <h2>Coverage</h2>
      <CoverageBar r={r} />
      <h2>RMSE vs K</h2>
      <figure>
        <RmseVsK r={r} />
        <figcaption>
          Neighbor lists truncated to their first K entries; dashed: bias baseline.
        </figcaption>
      </figure>
      <h2>Error histogram</h2>
      <figure>
        <ErrorHistogram r={r} />
        <figcaption>
          CF prediction − test rating at K = {r.k}, bins of {r.histogram.width}.
        </figcaption>
      </figure>
      <h2>Top-{k.n} ranking</h2>
      <p>
        {k.usersWithRelevant} users with at least one relevant test rating, of {k.sampledUsers}{" "}
        scored{k.sampled
          ? ` (a deterministic sample of the ${k.testUsers} test users: smallest hash of userId)`
          : " (every test user)"}. K = {k.k}.
      </p>
      <RankingTable r={r} />
      <p id="candidates">{k.candidates}</p>
    </>
  );
}

/** The report page as a complete HTML document. */
export function renderReport(r: EvalResult): string {
  return renderPage(`recsys32m eval: ${r.model}-based`, CSS, <Body r={r} />);
}
