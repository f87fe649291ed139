/**
 * Server-side rendering of a page into the layout with
 * preact-render-to-string. All text goes through Preact, which escapes it:
 * nothing user-supplied or from TMDB is ever inserted as HTML.
 */
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout } from "../components/Layout.tsx";
import type { AppContext } from "./_http.ts";

export function renderPage(
  c: AppContext,
  title: string,
  // deno-lint-ignore no-explicit-any
  page: VNode<any>,
  status: ContentfulStatusCode = 200,
): Response {
  const html = render(
    <Layout
      title={title}
      userId={c.var.userId ?? null}
      profile={(c.var.profileId ?? null) !== null}
      csrfToken={c.var.csrfToken ?? ""}
      assets={c.var.deps.assets}
    >
      {page}
    </Layout>,
  );
  c.header("Cache-Control", "no-store");
  return c.html("<!DOCTYPE html>" + html, status);
}
