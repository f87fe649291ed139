/**
 * What the two `eval` reports (eval/report.tsx, eval/compare_report.tsx)
 * share: the page shell (a self-contained HTML document, inline CSS, no
 * script), the base style and a table's header row.
 */
import { type ComponentChildren, h } from "preact";
import { renderToString } from "preact-render-to-string";

/** The style both reports start from; each appends its own rules. */
export const BASE_CSS =
  `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}`;

/**
 * A table's header row. The cells are made with `h`, keyless: the list is
 * fixed, and a key in precompiled JSX prints as an empty attribute slot (`<th >`).
 */
export function HeadRow({ names }: { names: string[] }) {
  return (
    <thead>
      <tr>{names.map((n) => h("th", null, n))}</tr>
    </thead>
  );
}

/** A complete HTML document: doctype, `<head>` with `title` and `css`, and `body`. */
export function renderPage(title: string, css: string, body: ComponentChildren): string {
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{title}</title>
        <style>{css}</style>
      </head>
      <body>{body}</body>
    </html>
  );
  return "<!DOCTYPE html>\n" + renderToString(page) + "\n";
}
