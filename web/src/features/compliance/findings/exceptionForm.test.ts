import { describe, expect, it } from "vitest";
import { finding } from "../testData";
import { dateAhead, defaultExceptionForm, exceptionBody, validateException } from "./exceptionForm";

const today = new Date(2026, 10, 25, 15, 0); // 25 November 2026, local time

describe("exception form", () => {
  it("defaults to this resource, the caller as owner, 90 days ahead", () => {
    const form = defaultExceptionForm(finding, "me@example.com", today);
    expect(form).toEqual({ owner: "me@example.com", reason: "", expires: "2027-02-23", pattern: finding.resource_id });
  });

  it("needs a reason and an expiry after today and within a year", () => {
    const form = { ...defaultExceptionForm(finding, "me@example.com", today), reason: "accepted" };
    expect(validateException(form, today)).toEqual({});
    expect(validateException({ ...form, reason: "ok" }, today).reason).toBeDefined();
    expect(validateException({ ...form, expires: dateAhead(0, today) }, today).expires).toMatch(/after today/);
    expect(validateException({ ...form, expires: dateAhead(365, today) }, today)).toEqual({});
    expect(validateException({ ...form, expires: dateAhead(366, today) }, today).expires).toMatch(/one year/);
    expect(validateException({ ...form, owner: " " }, today).owner).toBeDefined();
  });

  it("asks the API for this finding's account and control, ending at the end of the day", () => {
    const body = exceptionBody({ owner: "me", reason: "accepted", expires: "2027-02-23", pattern: "arn:*" }, finding);
    expect(body).toMatchObject({ account: "prod", control_id: "AWS-EC2-001", resource_pattern: "arn:*" });
    expect(new Date(body.expires_at).getTime()).toBe(new Date(2027, 1, 23, 23, 59, 59).getTime());
  });
});
