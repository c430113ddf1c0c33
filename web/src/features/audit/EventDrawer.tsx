/** The side panel with one event: its fields, its ledger place, verification and the raw JSON. */
import CloseIcon from "@mui/icons-material/Close";
import Box from "@mui/material/Box";
import Divider from "@mui/material/Divider";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "../../api/client";
import { ErrorState, Loading } from "../../components/States";
import { VerifyPanel } from "../verify/VerifyPanel";
import { EventDetails } from "./EventDetails";
import { JsonBlock } from "./JsonBlock";
import type { AuditEvent } from "./types";

interface Props {
  eventId: string | null;
  /** The row already on screen, shown while the full event loads. */
  preview?: AuditEvent;
  onClose: () => void;
}

function useEvent(eventId: string | null, preview?: AuditEvent) {
  return useQuery({
    queryKey: ["audit", "event", eventId],
    queryFn: ({ signal }) => api<AuditEvent>(`/api/v1/audit/events/${encodeURIComponent(eventId ?? "")}`, { signal }),
    enabled: Boolean(eventId),
    placeholderData: preview,
  });
}

function Body({ eventId, query }: { eventId: string; query: ReturnType<typeof useEvent> }) {
  if (query.isError) {
    const status = query.error instanceof ApiError ? query.error.status : 0;
    if (status === 404 || status === 422)
      return (
        <Typography sx={{ my: 2 }}>
          No event with the id {eventId} in this tenant. The link may be wrong, or the event is not stored yet.
        </Typography>
      );
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  const event = query.data;
  if (!event) return <Loading label="Loading the event" />;
  return (
    <>
      <EventDetails event={event} />
      {query.isPlaceholderData ? null : <VerifyPanel event={event as unknown as Record<string, unknown>} />}
      <Divider sx={{ my: 2 }} />
      <Typography variant="overline" component="h3" color="text.secondary">
        Full event (JSON)
      </Typography>
      <JsonBlock value={event} label="Event JSON" maxHeight={480} />
    </>
  );
}

export function EventDrawer({ eventId, preview, onClose }: Props) {
  const query = useEvent(eventId, preview);
  return (
    // Above the app bar (which sits over the navigation drawer): this panel is modal.
    <Drawer anchor="right" open={Boolean(eventId)} onClose={onClose} sx={{ zIndex: (t) => t.zIndex.modal }}>
      <Box
        role="dialog"
        aria-labelledby="event-drawer-title"
        data-testid="event-drawer"
        sx={{ width: { xs: "100vw", sm: 620 }, p: 2.5 }}
      >
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 2 }}>
          <Typography id="event-drawer-title" variant="h6" component="h2" sx={{ flexGrow: 1, wordBreak: "break-all" }}>
            {query.data?.action ?? "Event"}
          </Typography>
          <IconButton aria-label="Close event" onClick={onClose} edge="end">
            <CloseIcon />
          </IconButton>
        </Box>
        {eventId ? <Body eventId={eventId} query={query} /> : null}
      </Box>
    </Drawer>
  );
}
