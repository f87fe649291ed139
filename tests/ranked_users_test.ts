import assert from "node:assert/strict";
import { synthesize } from "../tools/synth.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { fitEase } from "../lib/models/ease.ts";
import { biasSpec } from "../lib/models/bias.ts";
import { RankScratch, topNForUser } from "../lib/models/rank.ts";
import { type RankedBlock, rankUsers } from "../lib/recommend/ranked_users.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { isLiked } from "../lib/models/fold_in.ts";

Deno.test("ranked users", async (t) => {
  // 603 users: three blocks of 256, the last one partial.
  const dir = await Deno.makeTempDir();
  await synthesize(dir, { scale: 0.003, seed: 5 });
  const m = buildRatingMatrix((await readRatingsTable(`${dir}/ratings.csv`)).table);
  const ease = await fitEase(m, { lambda: 50, lowRatingWeight: 0.5, minRatings: 3, workers: 2 });
  const rater = await biasSpec.fit(m);

  await t.step(
    "hands over every user's topNForUser list, in user order, on 2 workers",
    async () => {
      const blocks: RankedBlock[] = [];
      await rankUsers(ease, m, {
        top: 20,
        explain: true,
        workers: 2,
        onBlock: (b) => {
          blocks.push(b);
        },
      });
      assert.deepEqual(blocks.map((b) => b.first), [0, 256, 512]);
      const scratch = new RankScratch(m.itemIds.length, 20);
      for (const b of blocks) {
        let at = 0;
        for (let k = 0; k < b.sizes.length; k++) {
          const u = b.first + k;
          const want = topNForUser(ease, m, u, 20, scratch);
          assert.equal(b.sizes[k], want.length, `user ${u}`);
          assert.deepEqual([...b.items.subarray(at, at + want.length)], [...want]);
          assert.deepEqual(
            [...b.scores.subarray(at, at + want.length)],
            [...scratch.topScores.subarray(0, want.length)],
          );
          // The explanation cites a movie the user liked (≥ the user's mean and ≥ 3.5 stars).
          const liked = new Uint8Array(m.itemIds.length);
          const mine = [...m.userRatings.subarray(m.userOffsets[u], m.userOffsets[u + 1])];
          const mean = mine.reduce((x, y) => x + y, 0) / (2 * mine.length);
          for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
            liked[m.userItems[p]] = isLiked(m.userRatings[p] / 2, mean) ? 1 : 0;
          }
          for (let r = 0; r < want.length; r++) {
            assert.equal(b.because![at + r], ease.explain(u, want[r], liked)?.item ?? -1);
          }
          at += want.length;
        }
      }
    },
  );

  await t.step("writes the same bytes on 1 and 2 workers, both file forms", async () => {
    for (const withRater of [false, true]) {
      const files = [];
      for (const workers of [1, 2]) {
        const out = `${dir}/recs-${withRater}-${workers}.csv`;
        const r = await writeRecommendations(ease, m, out, {
          top: 30,
          workers,
          rater: withRater ? rater : undefined,
        });
        assert.equal(r.users, m.userIds.length);
        const text = await Deno.readTextFile(out);
        assert.equal(text.split("\n").length, r.lines + 2);
        files.push(text);
      }
      assert.ok(files[0].length > 10_000);
      assert.equal(files[1], files[0]);
    }
  });
  await Deno.remove(dir, { recursive: true });
});
