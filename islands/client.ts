/**
 * The client script (bundled by `deno bundle`): hydrates each
 * `[data-island]` element rendered by components/Island.tsx with the same
 * component and props, so the server's HTML stays and gains behaviour.
 */
import { h, hydrate } from "preact";
import { type IslandName, ISLANDS } from "./registry.ts";

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const component = ISLANDS[el.dataset.island as IslandName];
  if (!component) continue;
  // deno-lint-ignore no-explicit-any
  hydrate(h(component as any, JSON.parse(el.dataset.props ?? "{}")), el);
}
