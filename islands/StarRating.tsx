/**
 * A visitor's stars for one movie, in the data's steps (half stars when its
 * ratings have them): radio inputs in a fieldset, one label each, so the
 * keyboard (arrows, space) and screen readers work. The server renders a
 * plain form (`POST /ratings` with the CSRF token, redirected back) with a
 * Save and a Remove button that works without JavaScript; hydrated, choosing
 * a star saves it at once through `PUT /api/profile/ratings/:id` (Remove:
 * `DELETE`), and the new picks that answer carries go to the picks island
 * as a `recsys:picks` event on `document`. Read-only (a persona's rating),
 * it shows the stars without inputs.
 */
import { Component } from "preact";
import { formatStars, type PicksView, type StarScale, starSteps } from "../lib/movie_view.ts";

export interface StarRatingProps {
  movieId: number;
  /** The movie's display title (the fieldset's legend). */
  title: string;
  /** The visitor's stars, or null when not rated. */
  rating: number | null;
  scale: StarScale;
  /** The page's CSRF token (the form without JavaScript). */
  csrf: string;
  /** Where the form redirects back to (a path of this site). */
  back: string;
  /** Makes the inputs' ids unique on a page that shows a movie twice. */
  idPrefix: string;
  /** Show, do not edit (a persona's ratings). */
  readOnly?: boolean;
}

interface StarRatingState {
  rating: number | null;
  hydrated: boolean;
  busy: boolean;
  error: string | null;
}

/** The event the picks island listens to: the new picks after a rating. */
export const PICKS_EVENT = "recsys:picks";

/** Requests in flight per page: only the newest answer's picks are shown. */
let sequence = 0;

/** A class, not hooks: see components/Island.tsx (hooks under server rendering). */
export default class StarRating extends Component<StarRatingProps, StarRatingState> {
  constructor(props: StarRatingProps) {
    super(props);
    this.state = { rating: props.rating, hydrated: false, busy: false, error: null };
  }

  override componentDidMount(): void {
    this.setState({ hydrated: true });
  }

  async #save(rating: number | null): Promise<void> {
    const { movieId } = this.props;
    const previous = this.state.rating;
    const mine = ++sequence;
    this.setState({ rating, busy: true, error: null });
    try {
      const res = await fetch(`/api/profile/ratings/${movieId}`, {
        method: rating === null ? "DELETE" : "PUT",
        headers: { "content-type": "application/json" },
        body: rating === null ? undefined : JSON.stringify({ rating }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      if (mine === sequence) {
        document.dispatchEvent(new CustomEvent<PicksView>(PICKS_EVENT, { detail: body.picks }));
      }
      this.setState({ busy: false });
    } catch (err) {
      this.setState({ rating: previous, busy: false, error: (err as Error).message });
    }
  }

  render() {
    const { movieId, title, scale, csrf, back, idPrefix, readOnly } = this.props;
    const { rating, hydrated, busy, error } = this.state;
    const steps = starSteps(scale);
    const half = scale.step < 1;
    const label = rating === null ? "Not rated" : `Your rating: ★ ${formatStars(rating)}`;
    if (readOnly) {
      return (
        <p class="stars-readonly">
          {rating === null ? "Not rated" : `Rated ★ ${formatStars(rating)}`}
        </p>
      );
    }
    return (
      <form
        method="post"
        action="/ratings"
        class={`rate${hydrated ? " rate-live" : ""}`}
        aria-busy={busy ? "true" : "false"}
      >
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="movieId" value={String(movieId)} />
        <input type="hidden" name="back" value={back} />
        <fieldset class="stars-input">
          <legend class="visually-hidden">Your rating of {title}</legend>
          <div class={`star-row${half ? " star-row-half" : ""}`}>
            {[...steps].reverse().map((s) => {
              const id = `${idPrefix}-${movieId}-${s * 2}`;
              const left = half && !Number.isInteger(s);
              return [
                <input
                  key={`i${s}`}
                  type="radio"
                  class="visually-hidden star-radio"
                  id={id}
                  name="rating"
                  value={String(s)}
                  checked={rating === s}
                  onChange={() => this.#save(s)}
                />,
                <label
                  key={`l${s}`}
                  for={id}
                  class={`star${half ? (left ? " star-left" : " star-right") : ""}`}
                  title={`${formatStars(s)} stars`}
                >
                  <span class="star-glyph" aria-hidden="true">★</span>
                  <span class="visually-hidden">{formatStars(s)} stars</span>
                </label>,
              ];
            })}
          </div>
        </fieldset>
        <span class="rate-status" role="status">{error ? `Not saved: ${error}` : label}</span>
        <span class="rate-buttons">
          {!hydrated && <button type="submit" class="button-small">Save</button>}
          {rating !== null && (
            <button
              type="submit"
              name="remove"
              value="1"
              class="button-link rate-remove"
              onClick={(e) => {
                if (!hydrated) return;
                e.preventDefault();
                this.#save(null);
              }}
            >
              Remove
            </button>
          )}
        </span>
      </form>
    );
  }
}
