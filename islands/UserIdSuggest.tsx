/**
 * The login form's user id field. On the server it renders the input and a
 * few example ids as submit buttons (one click logs in as that user, with or
 * without JavaScript); hydrated, it narrows the examples to ids starting with
 * what you type, from a larger sample fetched once from /api/users/sample,
 * and says at once when the input is not a number.
 */
import { Component } from "preact";
import { movieLensIdProblem } from "../lib/movie_view.ts";

export interface UserIdSuggestProps {
  /** Example user ids that have recommendations. */
  examples: number[];
  /** What the user typed last time (shown again after an error). */
  value: string;
  /** The server's message about `value`, if it was rejected. */
  error: string | null;
}

const SHOWN = 8;

interface UserIdSuggestState {
  text: string;
  pool: number[];
}

/** A class, not hooks: see components/Island.tsx (hooks under server rendering). */
export default class UserIdSuggest extends Component<UserIdSuggestProps, UserIdSuggestState> {
  /** The larger sample is asked for once, when the user first types. */
  #asked = false;

  constructor(props: UserIdSuggestProps) {
    super(props);
    this.state = { text: props.value, pool: props.examples };
  }

  override componentDidMount(): void {
    this.#fetchSample();
  }

  override componentDidUpdate(): void {
    this.#fetchSample();
  }

  #fetchSample(): void {
    if (this.#asked || this.state.text === "") return;
    this.#asked = true;
    fetch("/api/users/sample?limit=1000")
      .then((r) => r.ok ? r.json() : null)
      .then((j: { userIds?: number[] } | null) => {
        if (j?.userIds?.length) this.setState({ pool: j.userIds });
      })
      .catch(() => {});
  }

  render() {
    const { value, error } = this.props;
    const { text, pool } = this.state;
    const typed = text.trim();
    const problem = movieLensIdProblem(typed, { zero: true });
    const notNumber = problem === "not digits";
    const matching = typed === "" || notNumber
      ? pool.slice(0, SHOWN)
      : pool.filter((id) => String(id).startsWith(typed)).slice(0, SHOWN);
    const message = notNumber
      ? "A user id is a number, like 42."
      : problem === "leading zero"
      ? "A user id has no leading zero."
      : (typed === value ? error : null);

    return (
      <div class="field">
        <label for="userId">MovieLens user id</label>
        <input
          id="userId"
          name="userId"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder="e.g. 42"
          value={text}
          onInput={(e) => this.setState({ text: (e.target as HTMLInputElement).value })}
          aria-invalid={message ? "true" : undefined}
          aria-describedby="userId-message userId-examples"
        />
        <p id="userId-message" class="field-error" role="alert">{message ?? ""}</p>
        <div id="userId-examples" class="examples">
          <span class="examples-label">
            {matching.length
              ? (typed && !notNumber ? "Matching users:" : "Try a user:")
              : "No example starts with that."}
          </span>
          {matching.map((id) => (
            <button key={id} type="submit" name="pick" value={String(id)} class="chip">
              {id}
            </button>
          ))}
        </div>
      </div>
    );
  }
}
