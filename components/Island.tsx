/**
 * Server side of an island: renders the component to HTML inside a
 * `data-island` element whose `data-props` carries its props as JSON, which
 * islands/client.ts hydrates. Props must be plain data (no functions); an
 * attribute, unlike an inline script, needs no CSP exception and is escaped
 * by the renderer.
 *
 * Islands are class components, not hooks: preact/hooks under
 * preact-render-to-string doubled an island's render time and, once any
 * page had rendered a hooks island, every later page's vnodes were
 * pretenured by V8 (young collections of 7 ms instead of 0.3 ms; the scale-1
 * dashboard's p99 under load went from ~40 ms to 55–66 ms).
 */
import type { ComponentType } from "preact";
import type { IslandName } from "../islands/registry.ts";

export function Island<P extends object>(
  { name, component: Component, props }: {
    name: IslandName;
    component: ComponentType<P>;
    props: P;
  },
) {
  return (
    <div data-island={name} data-props={JSON.stringify(props)}>
      <Component {...props} />
    </div>
  );
}
