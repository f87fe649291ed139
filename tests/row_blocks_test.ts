import assert from "node:assert/strict";
import { balancedBlocks } from "../lib/row_blocks.ts";

Deno.test("balancedBlocks", async (t) => {
  await t.step("cuts where the running cost passes each equal share", () => {
    // Total 12, 3 blocks → cut after the row where the running sum reaches 4 (row 0: 5),
    // then 8 (row 3: 5+1+1+1): blocks [5] [1,1,1] [1,3].
    assert.deepEqual([...balancedBlocks([5, 1, 1, 1, 1, 3], 3)], [0, 1, 4, 6]);
  });

  await t.step("covers every row with strictly increasing bounds, at most `blocks` blocks", () => {
    const costs = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 13 === 0 ? 500 : i % 5);
    for (const blocks of [1, 2, 7, 64, 5000]) {
      const b = balancedBlocks(costs, blocks);
      assert.equal(b[0], 0);
      assert.equal(b[b.length - 1], 1000);
      assert.ok(b.length - 1 <= blocks);
      for (let j = 1; j < b.length; j++) assert.ok(b[j] > b[j - 1]);
    }
  });

  await t.step("returns one empty block for no rows", () => {
    assert.deepEqual([...balancedBlocks([], 4)], [0]);
  });
});
