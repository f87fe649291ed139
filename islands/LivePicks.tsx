/**
 * A visitor's picks: cards with predicted stars, the reason and the visitor's
 * own stars (islands/StarRating.tsx). Rendered by the server from the
 * profile's ratings; hydrated, it swaps in the new list that every rating's
 * answer carries (the `recsys:picks` event), so the list changes in place
 * with each rating.
 */
import { Component } from "preact";
import {
  displayTitle,
  formatStars,
  genreList,
  type PicksView,
  type PickView,
  type StarScale,
} from "../lib/movie_view.ts";
import StarRating, { PICKS_EVENT } from "./StarRating.tsx";

export interface LivePicksProps {
  picks: PicksView;
  scale: StarScale;
  csrf: string;
  back: string;
  /**
   * Show the cold-start list (the most-rated movies) before the first rating; false on
   * the onboarding page, where picks appear with the first rating. @default true
   */
  coldCards?: boolean;
  /** Cards shown at most (the rating API answers the dashboard's 30). @default all */
  limit?: number;
}

interface LivePicksState {
  picks: PicksView;
  /** Lists shown since the page loaded (the browser test waits on it). */
  version: number;
}

/** What the list is, in plain words. */
export function picksNote(p: PicksView, coldCards = true): string {
  if (p.cold && !coldCards) return "Rate a few movies below to get picks of your own.";
  if (p.cold) {
    return "Rate a few movies to get picks of your own: until then, the most-rated movies.";
  }
  if (!p.model) {
    return `${p.rated} rated. This server has no model for new visitors loaded, so these are ` +
      "the most-rated movies you have not rated yet; they change as you rate.";
  }
  return `Picked for you from your ${p.rated} rating${p.rated === 1 ? "" : "s"}.`;
}

function PickCard(
  { pick, picks, props }: { pick: PickView; picks: PicksView; props: LivePicksProps },
) {
  // Popularity predicts nothing for the visitor: its stars are the movie's average.
  const { mean, model } = picks;
  const title = displayTitle(pick.title);
  return (
    <article class="card">
      <a class="card-poster" href={`/movies/${pick.movieId}`} aria-label={`${title}: details`}>
        {pick.posterUrl
          ? (
            <img
              class="poster poster-card"
              src={pick.posterUrl}
              alt={`Poster of ${title}`}
              loading="lazy"
              width={185}
              height={278}
            />
          )
          : (
            <div
              class={`poster poster-card poster-placeholder hue-${
                Math.floor(((pick.movieId * 47) % 360) / 30)
              }`}
              role="img"
              aria-label={`No poster for ${title}`}
            >
              <span class="placeholder-title">{title}</span>
              {pick.year !== null && <span class="placeholder-year">{pick.year}</span>}
            </div>
          )}
      </a>
      <div class="card-body">
        <h3 class="card-title">
          <a href={`/movies/${pick.movieId}`}>{title}</a>
        </h3>
        <p class="card-meta">
          {[pick.year, genreList(pick.genres)].filter((x) => x !== null).join(" · ")}
        </p>
        <p class="score">
          <span class="score-badge">★{formatStars(pick.prediction)}</span>{" "}
          {model ? "predicted" : "average rating"}
          {model && mean !== null && (
            <span class="score-mean">your average ★{formatStars(mean)}</span>
          )}
        </p>
        <p class="reason">{pick.reason}</p>
        <StarRating
          movieId={pick.movieId}
          title={title}
          rating={null}
          scale={props.scale}
          csrf={props.csrf}
          back={props.back}
          idPrefix="pick"
        />
      </div>
    </article>
  );
}

/** A class, not hooks: see components/Island.tsx (hooks under server rendering). */
export default class LivePicks extends Component<LivePicksProps, LivePicksState> {
  #onPicks = (e: Event) => {
    const picks = (e as CustomEvent<PicksView>).detail;
    if (picks) this.setState((s) => ({ picks, version: s.version + 1 }));
  };

  constructor(props: LivePicksProps) {
    super(props);
    this.state = { picks: props.picks, version: 0 };
  }

  override componentDidMount(): void {
    document.addEventListener(PICKS_EVENT, this.#onPicks);
  }

  override componentWillUnmount(): void {
    document.removeEventListener(PICKS_EVENT, this.#onPicks);
  }

  render() {
    const { picks, version } = this.state;
    const hidden = picks.cold && this.props.coldCards === false;
    return (
      <div class="live-picks" data-version={String(version)}>
        <p class={`picks-note${picks.cold || !picks.model ? " picks-note-plain" : ""}`}>
          {picksNote(picks, !hidden)}
        </p>
        {hidden
          ? null
          : picks.items.length === 0
          ? <p class="empty">No picks left: you have rated every movie we know.</p>
          : (
            <div class="card-grid">
              {picks.items.slice(0, this.props.limit ?? picks.items.length).map((p) => (
                <PickCard key={p.movieId} pick={p} picks={picks} props={this.props} />
              ))}
            </div>
          )}
      </div>
    );
  }
}
