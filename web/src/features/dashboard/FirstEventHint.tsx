/** How to send the first event: a curl line against this server, and where to get a key. */
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { CodeBlock, EmptyState } from "../../components/States";

/** The smallest valid event (docs/event-schema.md), sent with curl. */
function firstEventCurl(origin: string): string {
  return [
    `curl -X POST ${origin}/api/v1/audit/events \\`,
    `  -H "Authorization: Bearer $SEALTRAIL_API_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"time": "'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'", "action": "user.login", "actor": {"id": "u-42"}}'`,
  ].join("\n");
}

export function FirstEventHint({ selfAuditOnly }: { selfAuditOnly: boolean }) {
  const { can } = useAuth();
  return (
    <EmptyState title={selfAuditOnly ? "No events from your applications yet" : "No events in this window"}>
      <Typography sx={{ mb: 1 }}>
        {selfAuditOnly
          ? "So far the trail holds only Sealtrail's own records. Send a first event with an API key that has the ingest scope:"
          : "Send an event with an API key that has the ingest scope:"}
      </Typography>
      <CodeBlock>{firstEventCurl(window.location.origin)}</CodeBlock>
      {can("keys.manage") ? (
        <Link component={RouterLink} to="/admin/keys?create=1">
          Create an API key
        </Link>
      ) : (
        <Typography variant="body2">Ask an administrator for an API key with the ingest scope.</Typography>
      )}
    </EmptyState>
  );
}
