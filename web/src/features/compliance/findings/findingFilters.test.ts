import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersFromParams, findingsQuery, paramsFromFilters } from "./findingFilters";

const parse = (search: string) => filtersFromParams(new URLSearchParams(search));

describe("findings filters in the URL", () => {
  it("a bare URL means open failures", () => {
    expect(parse("")).toEqual(DEFAULT_FILTERS);
    expect(parse("").status).toEqual(["FAIL"]);
    expect(paramsFromFilters(DEFAULT_FILTERS).toString()).toBe("");
  });

  it("reads every filter, and writes it back the same", () => {
    const search =
      "framework=gdpr&severity=critical&severity=high&status=FAIL&status=ERROR&service=s3&account=prod&control=AWS-S3-004&include_gone=true";
    const filters = parse(search);
    expect(filters).toEqual({
      framework: "gdpr",
      severity: ["critical", "high"],
      status: ["FAIL", "ERROR"],
      service: "s3",
      account: "prod",
      control: "AWS-S3-004",
      includeGone: true,
    });
    expect(parse(paramsFromFilters(filters).toString())).toEqual(filters);
  });

  it("status=all means every status, and survives the round trip", () => {
    const filters = parse("status=all");
    expect(filters.status).toEqual([]);
    expect(paramsFromFilters(filters).toString()).toBe("status=all");
    expect(findingsQuery(filters).status).toEqual([]);
  });

  it("ignores values the API would refuse", () => {
    expect(parse("severity=urgent&severity=low&status=BROKEN").severity).toEqual(["low"]);
    expect(parse("status=BROKEN").status).toEqual([]);
  });

  it("asks the API with the filters and the page cursor", () => {
    const query = findingsQuery(parse("severity=high&include_gone=true"), 40);
    expect(query).toMatchObject({ severity: ["high"], status: ["FAIL"], include_gone: true, before: 40 });
  });
});
