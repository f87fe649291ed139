/**
 * A neighbor file's lists as store rows (id, position, neighbor,
 * similarity). The user lists' counts ("N movies in common", "liked by N of
 * your similar users") come from lib/import/similar_users_list.ts.
 */
import type { NeighborLists } from "../neighbor_file.ts";

/** Neighbor lists as rows: (id, pos, neighbor, similarity). */
export function neighborColumns(lists: NeighborLists): [Int32Array, Int32Array] {
  const ids = new Int32Array(lists.nids.length);
  const pos = new Int32Array(lists.nids.length);
  for (let r = 0; r < lists.ids.length; r++) {
    for (let e = lists.offsets[r]; e < lists.offsets[r + 1]; e++) {
      ids[e] = lists.ids[r];
      pos[e] = e - lists.offsets[r];
    }
  }
  return [ids, pos];
}
