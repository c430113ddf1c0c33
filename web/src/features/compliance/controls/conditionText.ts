/** A control's condition (docs/compliance.md, "The condition language") written out as indented text. */

type Node = Record<string, unknown>;

const BINARY: Record<string, string> = {
  eq: "=",
  ne: "≠",
  lt: "<",
  lte: "≤",
  gt: ">",
  gte: "≥",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
};

const UNARY: Record<string, string> = {
  exists: "exists",
  is_null: "is null or absent",
  not_null: "is set and not null",
  truthy: "is set and not empty, false or 0",
  falsy: "is absent, empty, false or 0",
};

const QUANTIFIERS: Record<string, string> = {
  any_item: "some item of {path} has",
  all_items: "every item of {path} has",
  no_item: "no item of {path} has",
};

const value = (v: unknown) => JSON.stringify(v);

function leaf(path: string, op: string, operand: unknown): string {
  if (op in BINARY) return `${path} ${BINARY[op]} ${value(operand)}`;
  if (op in UNARY) return `${path} ${UNARY[op]}`;
  if (op === "older_than_days") return `${path} is more than ${value(operand)} days ago`;
  if (op === "newer_than_days") return `${path} is within the last ${value(operand)} days`;
  return `${path} ${op} ${value(operand)}`;
}

function lines(node: Node, depth: number): string[] {
  const pad = "  ".repeat(depth);
  if (Array.isArray(node.all) || Array.isArray(node.any)) {
    const kind = Array.isArray(node.all) ? "all" : "any";
    const children = node[kind] as Node[];
    return [
      `${pad}${kind === "all" ? "all of" : "any of"}:`,
      ...children.flatMap((c) => {
        const [first, ...rest] = lines(c, depth + 1);
        return [`${first.replace(/^(\s*)/, "$1- ")}`, ...rest.map((r) => `  ${r}`)];
      }),
    ];
  }
  if (node.not !== undefined) {
    const inner = lines(node.not as Node, depth + 1);
    if (inner.length === 1) return [`${pad}not (${inner[0].trim()})`];
    return [`${pad}not:`, ...inner];
  }
  const path = String(node.path ?? "");
  for (const [key, phrase] of Object.entries(QUANTIFIERS))
    if (node[key] !== undefined) return [`${pad}${phrase.replace("{path}", path)}:`, ...lines(node[key] as Node, depth + 1)];
  const op = Object.keys(node).find((k) => k !== "path");
  return [`${pad}${op ? leaf(path, op, node[op]) : path}`];
}

/** The condition as readable text, one test per line, nesting by indentation. */
export function conditionText(condition: Record<string, unknown>): string {
  return lines(condition, 0).join("\n");
}
