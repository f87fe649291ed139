/**
 * "Movies you have rated": a table with sort links and a pager. The server
 * renders it with plain links (`/dashboard?sort=…&page=…`) that work
 * without JavaScript; hydrated, the same links fetch the page from
 * /api/users/:id/ratings and swap the rows in place.
 */
import { Component } from "preact";
import {
  displayTitle,
  formatDate,
  formatStars,
  genreList,
  type RatedRow,
  type RatedSort,
  type SortOrder,
} from "../lib/movie_view.ts";

export interface RatedMoviesProps {
  userId: number;
  rows: RatedRow[];
  total: number;
  page: number;
  pageSize: number;
  sort: RatedSort;
  order: SortOrder;
  /** Query of the rest of the dashboard (e.g. `list=similar-users`), kept in its links. */
  keep?: string;
}

/** The order a column sorts in when first clicked. */
const FIRST_ORDER: Record<RatedSort, SortOrder> = {
  title: "asc",
  rating: "desc",
  date: "desc",
};

function query(sort: RatedSort, order: SortOrder, page: number): string {
  return `sort=${sort}&order=${order}&page=${page}`;
}

interface RatedMoviesState {
  rows: RatedRow[];
  total: number;
  page: number;
  sort: RatedSort;
  order: SortOrder;
  busy: boolean;
}

/** A class, not hooks: see components/Island.tsx (hooks under server rendering). */
export default class RatedMovies extends Component<RatedMoviesProps, RatedMoviesState> {
  constructor(props: RatedMoviesProps) {
    super(props);
    const { rows, total, page, sort, order } = props;
    this.state = { rows, total, page, sort, order, busy: false };
  }

  async #go(e: MouseEvent, q: string): Promise<void> {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    const { userId, pageSize, keep } = this.props;
    const page = `/dashboard?${q}${keep ? `&${keep}` : ""}#rated`;
    this.setState({ busy: true });
    try {
      const res = await fetch(`/api/users/${userId}/ratings?${q}&pageSize=${pageSize}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const j = await res.json();
      this.setState({
        rows: j.ratings,
        total: j.total,
        page: j.page,
        sort: j.sort,
        order: j.order,
      });
      history.replaceState(null, "", page);
    } catch {
      location.href = page;
    } finally {
      this.setState({ busy: false });
    }
  }

  render() {
    const { pageSize, keep } = this.props;
    const { rows, total, page, sort, order, busy } = this.state;
    const pages = Math.max(1, Math.ceil(total / pageSize));

    const link = (q: string, label: string, extra: Record<string, string> = {}) => (
      <a
        href={`/dashboard?${q}${keep ? `&${keep}` : ""}#rated`}
        onClick={(e) => this.#go(e, q)}
        {...extra}
      >
        {label}
      </a>
    );

    const header = (col: RatedSort, label: string, cls: string) => {
      const active = sort === col;
      const next = active ? (order === "asc" ? "desc" : "asc") : FIRST_ORDER[col];
      return (
        <th
          class={cls}
          aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"}
        >
          {link(query(col, next, 1), label, { class: active ? `sort active ${order}` : "sort" })}
        </th>
      );
    };

    return (
      <div class="rated" aria-busy={busy ? "true" : "false"}>
        <table class="rated-table">
          <thead>
            <tr>
              <th class="col-thumb">
                <span class="visually-hidden">Poster</span>
              </th>
              {header("title", "Title", "col-title")}
              <th class="col-genres">Genres</th>
              {header("rating", "Your rating", "col-rating")}
              {header("date", "Rated on", "col-date")}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.movieId}>
                <td class="col-thumb">
                  <a href={`/movies/${r.movieId}`} tabIndex={-1} aria-hidden="true">
                    {r.posterUrl
                      ? <img src={r.posterUrl} alt="" loading="lazy" width={36} height={54} />
                      : <span class="thumb-placeholder">{displayTitle(r.title).slice(0, 1)}</span>}
                  </a>
                </td>
                <td class="col-title">
                  <a href={`/movies/${r.movieId}`}>{displayTitle(r.title)}</a>
                  {r.year !== null && <span class="year">{r.year}</span>}
                  {r.movielensUrl && (
                    <a class="ext" href={r.movielensUrl} target="_blank" rel="noopener">
                      MovieLens
                    </a>
                  )}
                </td>
                <td class="col-genres">{genreList(r.genres)}</td>
                <td class="col-rating">
                  <span class="stars" aria-label={`${formatStars(r.rating)} out of 5`}>
                    ★ {formatStars(r.rating)}
                  </span>
                </td>
                <td class="col-date">{formatDate(r.timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <nav class="pager" aria-label="Rated movies pages">
          {page > 1
            ? link(query(sort, order, page - 1), "← Previous", { rel: "prev" })
            : <span class="disabled">← Previous</span>}
          <span class="pager-pos">Page {page} of {pages}</span>
          {page < pages
            ? link(query(sort, order, page + 1), "Next →", { rel: "next" })
            : <span class="disabled">Next →</span>}
        </nav>
      </div>
    );
  }
}
