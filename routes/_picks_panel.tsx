/**
 * The picks panel of a visitor's pages (`/dashboard` for a profile,
 * `/welcome`): the LivePicks island inside the "picks" panel, so both pages
 * render and hydrate it alike.
 */
import { Island } from "../components/Island.tsx";
import { Panel } from "../components/Panel.tsx";
import type { RateContext } from "../components/Stars.tsx";
import type { PicksView } from "../lib/movie_view.ts";
import LivePicks from "../islands/LivePicks.tsx";

export function PicksPanel(
  { title, picks, rate, limit, coldCards }: {
    title: string;
    picks: PicksView;
    rate: RateContext;
    /** Cards shown at most. */
    limit: number;
    /** Show the cold-start list before the first rating. @default true */
    coldCards?: boolean;
  },
) {
  return (
    <Panel id="picks" titleId="picks-title" title={title} count="they change with every rating">
      <Island
        name="LivePicks"
        component={LivePicks}
        props={{ picks, scale: rate.scale, csrf: rate.csrf, back: rate.back, coldCards, limit }}
      />
    </Panel>
  );
}
