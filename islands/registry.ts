/** Every island, by the name the server writes into `data-island`. */
import RatedMovies from "./RatedMovies.tsx";
import UserIdSuggest from "./UserIdSuggest.tsx";

export const ISLANDS = { RatedMovies, UserIdSuggest } as const;

export type IslandName = keyof typeof ISLANDS;
