/** A titled section of a page: its heading with a short count beside it, then the content. */
import type { ComponentChildren } from "preact";

export interface PanelProps {
  /** The section's id (a link target), if any. */
  id?: string;
  /** The heading's id, which labels the section. */
  titleId: string;
  title: string;
  /** The muted line beside the heading ("4 in total"). */
  count: string;
  children: ComponentChildren;
}

export function Panel({ id, titleId, title, count, children }: PanelProps) {
  // Spread, not `id={id}`: the precompiled template would leave a blank for an absent id.
  const sectionId = id === undefined ? {} : { id };
  return (
    <section {...sectionId} class="panel" aria-labelledby={titleId}>
      <div class="panel-head">
        <h2 id={titleId}>{title}</h2>
        <span class="count">{count}</span>
      </div>
      {children}
    </section>
  );
}
