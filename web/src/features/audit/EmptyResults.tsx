/** What to say when the table is empty: a new tenant (send a first event) or filters matching nothing. */
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { CodeBlock, EmptyState } from "../../components/States";
import { CopyButton } from "./CopyButton";

/** A curl line that sends one valid event (time, action, actor are the required fields). */
export function firstEventCurl(origin: string, now = new Date()): string {
  const event = {
    time: now.toISOString(),
    action: "user.login",
    outcome: "success",
    actor: { type: "user", id: "alice" },
  };
  return (
    `curl -X POST ${origin}/api/v1/audit/events ` +
    `-H "Authorization: Bearer $SEALTRAIL_KEY" -H "Content-Type: application/json" ` +
    `-d '${JSON.stringify(event)}'`
  );
}

/** How to send a first event; `title` differs when only Sealtrail's own records exist. */
export function FirstEventGuide({ title = "No audit events yet" }: { title?: string }) {
  const { can } = useAuth();
  const curl = firstEventCurl(window.location.origin);
  return (
    <EmptyState title={title}>
      <Typography sx={{ mb: 1 }}>
        Your applications send events to the API with a key that has the <code>ingest</code> scope. Set{" "}
        <code>SEALTRAIL_KEY</code> to such a key and run:
      </Typography>
      <CodeBlock>{curl}</CodeBlock>
      <Box sx={{ display: "flex", gap: 1, justifyContent: "center", alignItems: "center", flexWrap: "wrap" }}>
        <CopyButton text={curl} label="Copy the curl command" />
        {can("keys.manage") ? (
          <Button component={RouterLink} to="/admin/keys" size="small" variant="outlined">
            Create an API key
          </Button>
        ) : (
          <Typography variant="body2">Ask an administrator for an API key with the ingest scope.</Typography>
        )}
      </Box>
      <Typography variant="body2" sx={{ mt: 1.5 }}>
        Required fields are <code>time</code>, <code>action</code> and <code>actor.id</code>; see the{" "}
        <Link href="/api/v1/audit/schema" target="_blank" rel="noreferrer">
          event schema
        </Link>
        . Events appear here within a second of being accepted.
      </Typography>
    </EmptyState>
  );
}

export function NoMatch({ onClear }: { onClear: () => void }) {
  return (
    <EmptyState title="No events match these filters">
      <Typography sx={{ mb: 1.5 }}>Try a wider time range, fewer filters or other search words.</Typography>
      <Button variant="outlined" onClick={onClear}>
        Clear filters
      </Button>
    </EmptyState>
  );
}
