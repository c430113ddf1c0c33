/** The resource as the scan saw it: its identity as fields, its configuration as JSON. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import { CodeBlock } from "../../../components/States";
import { Fact } from "../Section";

const IDENTITY = ["name", "arn", "type", "account", "region"] as const;

export function EvidenceView({ evidence }: { evidence: Record<string, unknown> | null | undefined }) {
  if (!evidence)
    return (
      <Typography color="text.secondary">
        No resource snapshot: this result concerns a whole account or region (no resource of the type was found, or
        collecting it failed).
      </Typography>
    );
  const unavailable = evidence.unavailable as Record<string, string> | undefined;
  return (
    <>
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(5, auto)" }, mb: 2 }}>
        {IDENTITY.filter((k) => evidence[k] !== undefined && evidence[k] !== null).map((k) => (
          <Fact key={k} label={k}>
            <Typography sx={{ fontFamily: "monospace", fontSize: 13 }}>{String(evidence[k])}</Typography>
          </Fact>
        ))}
      </Box>
      {unavailable && Object.keys(unavailable).length ? (
        <Alert severity="warning" sx={{ mb: 1 }}>
          Not collected:{" "}
          {Object.entries(unavailable)
            .map(([field, reason]) => `${field} (${reason})`)
            .join("; ")}
        </Alert>
      ) : null}
      <Typography variant="subtitle2" component="h3">
        Configuration
      </Typography>
      <CodeBlock>{JSON.stringify(evidence.config ?? evidence, null, 2)}</CodeBlock>
    </>
  );
}
