import { describe, expect, it } from "vitest";
import { ageInWords, formatScore } from "./format";
import { ledgerHealth } from "./ledger";
import type { LedgerStatus } from "./api";

describe("ageInWords", () => {
  it.each([
    [0, "just now"],
    [0.4, "just now"],
    [12, "12 s ago"],
    [59.9, "59 s ago"],
    [60, "1 min ago"],
    [3599, "59 min ago"],
    [3600, "1 h ago"],
    [86_399, "23 h ago"],
    [86_400 * 3 + 5, "3 d ago"],
    [-5, "just now"],
  ])("%s seconds read %s", (seconds, words) => {
    expect(ageInWords(seconds)).toBe(words);
  });
});

describe("formatScore", () => {
  it("shows a ratio as a whole percentage and no score as a dash", () => {
    expect(formatScore(0.8567)).toBe("86 %");
    expect(formatScore(1)).toBe("100 %");
    expect(formatScore(null)).toBe("–");
  });
});

describe("ledgerHealth", () => {
  const status = (tree: number, checkpointSize: number | null): LedgerStatus => ({
    origin: "sealtrail/default",
    tree_size: tree,
    checkpoint:
      checkpointSize === null
        ? null
        : { tree_size: checkpointSize, root_hash: "r", key_id: "k", timestamp: "2026-11-25T12:00:00Z", age_seconds: 0 },
  });

  it("is empty without leaves and unsigned with leaves but no checkpoint", () => {
    expect(ledgerHealth(status(0, null), null)).toEqual({ kind: "empty" });
    expect(ledgerHealth(status(7, null), null)).toEqual({ kind: "unsigned", pending: 7 });
  });

  it("is current when the checkpoint covers every leaf, however old", () => {
    expect(ledgerHealth(status(10, 10), 3600)).toEqual({ kind: "current" });
  });

  it("is only stale after five minutes with newer leaves pending", () => {
    expect(ledgerHealth(status(12, 10), 299)).toEqual({ kind: "pending", pending: 2 });
    expect(ledgerHealth(status(12, 10), 301)).toEqual({ kind: "stale", pending: 2 });
  });
});
