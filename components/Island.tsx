/**
 * Server side of an island: renders the component to HTML inside a
 * `data-island` element whose `data-props` carries its props as JSON, which
 * islands/client.ts hydrates. Props must be plain data (no functions); an
 * attribute, unlike an inline script, needs no CSP exception and is escaped
 * by the renderer.
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
