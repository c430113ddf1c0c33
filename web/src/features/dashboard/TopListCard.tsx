/** The most frequent actions or actors of the window, each opening the filtered trail. */
import Box from "@mui/material/Box";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import type { Count } from "./api";
import { DashboardCard } from "./DashboardCard";
import { countOf, formatCount } from "./format";
import { auditLink } from "./windows";
import type { WindowId } from "./windows";

interface Props {
  title: string;
  testId: string;
  field: "action" | "actor";
  items: Count[] | undefined;
  windowId: WindowId;
  loading: boolean;
  error: unknown;
}

export function TopListCard({ title, testId, field, items, windowId, loading, error }: Props) {
  const max = Math.max(1, ...(items ?? []).map((i) => i.count));
  return (
    <DashboardCard title={title} testId={testId} loading={loading} error={error}>
      {items && items.length === 0 ? (
        <Typography color="text.secondary">No events in this window.</Typography>
      ) : null}
      <List dense disablePadding>
        {(items ?? []).map((item) => (
          <ListItemButton
            key={item.value}
            component={RouterLink}
            to={auditLink(field, item.value, windowId)}
            aria-label={`${item.value}: ${countOf(item.count, "event")}, open in the audit explorer`}
            sx={{ display: "block", px: 1, borderRadius: 1 }}
          >
            <Box sx={{ display: "flex", gap: 1 }}>
              <Typography variant="body2" noWrap sx={{ flexGrow: 1, fontFamily: "monospace" }} title={item.value}>
                {item.value}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {formatCount(item.count)}
              </Typography>
            </Box>
            <Box sx={{ height: 4, mt: 0.5, borderRadius: 2, bgcolor: "primary.light", opacity: 0.7, width: `${(item.count / max) * 100}%` }} />
          </ListItemButton>
        ))}
      </List>
    </DashboardCard>
  );
}
