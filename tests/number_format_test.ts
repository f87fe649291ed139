import assert from "node:assert/strict";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";

Deno.test("number format", async (t) => {
  await t.step("prints a finite value with the given decimals", () => {
    assert.equal(fixedOrNa(0.87654, 4), "0.8765");
    assert.equal(fixedOrNa(2, 1), "2.0");
    assert.equal(percentOrNa(0.5, 1), "50.0 %");
    assert.equal(percentOrNa(0.123456, 2), "12.35 %");
  });

  await t.step("prints n/a for NaN and infinities, never 'NaN %'", () => {
    for (const x of [NaN, Infinity, -Infinity]) {
      assert.equal(fixedOrNa(x, 4), "n/a");
      assert.equal(percentOrNa(x, 2), "n/a");
    }
  });
});
