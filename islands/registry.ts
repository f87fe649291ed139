/** Every island, by the name the server writes into `data-island`. */
import LivePicks from "./LivePicks.tsx";
import RatedMovies from "./RatedMovies.tsx";
import StarRating from "./StarRating.tsx";
import UserIdSuggest from "./UserIdSuggest.tsx";

export const ISLANDS = { LivePicks, RatedMovies, StarRating, UserIdSuggest } as const;

export type IslandName = keyof typeof ISLANDS;
