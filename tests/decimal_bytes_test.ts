import assert from "node:assert/strict";
import { parseIdBytes, writeUintBytes } from "../lib/decimal_bytes.ts";

Deno.test("decimal bytes", async (t) => {
  const text = (buf: Uint8Array, end: number) => new TextDecoder().decode(buf.subarray(0, end));

  await t.step("prints integers as String() does, on both sides of 2^31", () => {
    for (const v of [0, 7, 10, 4096, 2 ** 31 - 1, 2 ** 31, 9_007_199_254_740_991]) {
      const buf = new Uint8Array(16);
      assert.equal(text(buf, writeUintBytes(buf, 0, v)), String(v));
    }
  });

  await t.step("appends at the given index and returns the end", () => {
    const buf = new Uint8Array(16);
    buf[0] = 44;
    const end = writeUintBytes(buf, 1, 305);
    assert.equal(end, 4);
    assert.equal(text(buf, end), ",305");
    assert.equal(parseIdBytes(buf, 1, end), 305);
  });
});
