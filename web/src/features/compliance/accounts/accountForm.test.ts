import { describe, expect, it } from "vitest";
import { ApiError } from "../../../api/client";
import { createBody, emptyForm, normalizeRegions, serverErrors, validateAccount } from "./accountForm";
import type { AccountForm } from "./accountForm";

const valid: AccountForm = {
  ...emptyForm(),
  name: "prod",
  accountId: "123456789012",
  regions: ["eu-west-1"],
  wayIn: "keys",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

describe("account form validation", () => {
  it("accepts a complete form with access keys", () => {
    expect(validateAccount(valid, "create")).toEqual({});
  });

  it.each(["12345678901", "1234567890123", "12345678901a", ""])("refuses account id %j", (accountId) => {
    expect(validateAccount({ ...valid, accountId }, "create").accountId).toMatch(/12 digits/);
  });

  it("needs at least one region, each a real region name", () => {
    expect(validateAccount({ ...valid, regions: [] }, "create").regions).toMatch(/at least one/);
    expect(validateAccount({ ...valid, regions: ["eu-west-1", "moon-1"] }, "create").regions).toMatch(/moon-1/);
    expect(validateAccount({ ...valid, regions: ["us-gov-west-1", "ap-southeast-2"] }, "create").regions).toBeUndefined();
  });

  it("splits, lower-cases and de-duplicates typed regions", () => {
    expect(normalizeRegions(["EU-west-1, us-east-1", "eu-west-1"])).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("checks only the fields of the chosen way in", () => {
    const role = { ...valid, wayIn: "role" as const, accessKeyId: "", secretAccessKey: "" };
    expect(validateAccount(role, "create").roleArn).toMatch(/role ARN/);
    expect(validateAccount(role, "create").accessKeyId).toBeUndefined();
    const good = { ...role, roleArn: "arn:aws:iam::123456789012:role/Audit", externalId: "x" };
    expect(validateAccount(good, "create")).toEqual({ externalId: expect.stringMatching(/2 to/) });
    expect(validateAccount({ ...valid, accessKeyId: "testing", secretAccessKey: "short" }, "create")).toEqual({
      accessKeyId: expect.any(String),
      secretAccessKey: expect.any(String),
    });
  });

  it("sends exactly one of access keys and assume role", () => {
    const withLeftovers = { ...valid, roleArn: "arn:aws:iam::123456789012:role/Audit" };
    const keys = createBody(withLeftovers);
    expect(keys.access_keys?.access_key_id).toBe("AKIAIOSFODNN7EXAMPLE");
    expect(keys.assume_role).toBeUndefined();
    const role = createBody({ ...withLeftovers, wayIn: "role" });
    expect(role.assume_role).toEqual({ role_arn: "arn:aws:iam::123456789012:role/Audit" });
    expect(role.access_keys).toBeUndefined();
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    expect(validateAccount({ ...valid, endpointUrl: "ftp://x" }, "create").endpointUrl).toBeDefined();
    expect(validateAccount({ ...valid, endpointUrl: "http://127.0.0.1:4566" }, "create")).toEqual({});
  });

  it("puts the server's reasons at the fields they name", () => {
    const error = new ApiError(422, {
      code: "validation_failed",
      message: "request parameters are invalid",
      details: [
        { field: "access_keys.access_key_id", reason: "String should match pattern" },
        { field: "regions", reason: "not an AWS region name: 'x'" },
        { field: "", reason: "give exactly one of access_keys and assume_role" },
      ],
    });
    expect(serverErrors(error)).toEqual({
      accessKeyId: "String should match pattern",
      regions: "not an AWS region name: 'x'",
      form: "give exactly one of access_keys and assume_role",
    });
    expect(serverErrors(new ApiError(409, { code: "conflict", message: "exists" }))).toEqual({
      name: expect.stringMatching(/exists/),
    });
  });
});
