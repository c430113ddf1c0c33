import { describe, expect, it } from "vitest";
import { conditionText } from "./conditionText";

describe("a condition as text", () => {
  it("writes leaves with their operator and nests by indentation", () => {
    const condition = {
      path: "ingress",
      no_item: {
        all: [
          { any: [{ path: "protocol", eq: "-1" }, { path: "from_port", lte: 22 }] },
          { path: "ipv4_ranges", contains: "0.0.0.0/0" },
        ],
      },
    };
    expect(conditionText(condition)).toBe(
      [
        "no item of ingress has:",
        "  all of:",
        "    - any of:",
        '        - protocol = "-1"',
        "        - from_port ≤ 22",
        '    - ipv4_ranges contains "0.0.0.0/0"',
      ].join("\n"),
    );
  });

  it("says unary tests and negations in words", () => {
    expect(conditionText({ not: { path: "password_policy", is_null: true } })).toBe("not (password_policy is null or absent)");
    expect(conditionText({ path: "last_used", older_than_days: 90 })).toBe("last_used is more than 90 days ago");
  });
});
