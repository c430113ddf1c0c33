/** What changed since the account's previous scan: new, resolved and regressed findings. */
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { useQueries } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router-dom";
import { api } from "../../../api/client";
import { SeverityChip } from "../display";
import { BASE } from "../queries";
import type { Finding, ScanSummary } from "../types";

const SHOWN = 15;

const KINDS = [
  { key: "new", title: "New failures", empty: "No new failure." },
  { key: "regressed", title: "Regressed (passed before, fail now)", empty: "Nothing regressed." },
  { key: "resolved", title: "Resolved", empty: "Nothing resolved since the previous scan." },
] as const;

function FindingLinks({ ids, total, empty }: { ids: number[]; total: number; empty: string }) {
  const shown = ids.slice(0, SHOWN);
  const findings = useQueries({
    queries: shown.map((id) => ({
      queryKey: ["compliance", "finding", String(id)],
      queryFn: () => api<Finding>(`${BASE}/findings/${id}`),
    })),
  });
  if (!ids.length) return <Typography color="text.secondary">{empty}</Typography>;
  return (
    <List dense disablePadding>
      {shown.map((id, i) => {
        const f = findings[i]?.data;
        return (
          <ListItem key={id} disableGutters sx={{ gap: 1, alignItems: "flex-start" }}>
            {f ? <SeverityChip severity={f.severity} /> : null}
            <Box sx={{ minWidth: 0 }}>
              <Link component={RouterLink} to={`/compliance/findings/${id}`}>
                {f ? `${f.control_id} · ${f.title}` : `Finding ${id}`}
              </Link>
              {f ? (
                <Typography variant="caption" color="text.secondary" noWrap component="div" title={f.resource_id}>
                  {f.resource_id}
                </Typography>
              ) : null}
            </Box>
          </ListItem>
        );
      })}
      {total > SHOWN ? (
        <ListItem disableGutters>
          <Typography variant="body2" color="text.secondary">
            and {total - SHOWN} more
          </Typography>
        </ListItem>
      ) : null}
    </List>
  );
}

export function ScanDiff({ diff }: { diff: ScanSummary["diff"] }) {
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(3, minmax(0, 1fr))" } }}>
      {KINDS.map((kind) => (
        <Paper key={kind.key} variant="outlined" sx={{ p: 2 }} data-testid={`scan-diff-${kind.key}`}>
          <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
            {kind.title}: {diff.counts[kind.key]}
          </Typography>
          <FindingLinks ids={diff[kind.key]} total={diff.counts[kind.key]} empty={kind.empty} />
        </Paper>
      ))}
    </Box>
  );
}
