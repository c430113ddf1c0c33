/** The results: one dense row per event, focusable, opening the event on click or Enter. */
import Chip from "@mui/material/Chip";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { keyframes } from "@mui/material/styles";
import { memo } from "react";
import type { KeyboardEvent } from "react";
import { actorLabel, OUTCOME_COLOR, targetLabel } from "./format";
import { formatCompact } from "./time";
import type { AuditEvent } from "./types";

const flash = keyframes`from { background-color: rgba(255, 213, 79, 0.55); } to { background-color: transparent; }`;

interface Props {
  events: AuditEvent[];
  /** True while a newer answer is loading (the rows shown are the previous ones). */
  busy?: boolean;
  /** Ids of events that just arrived live, shown highlighted for a moment. */
  fresh?: ReadonlySet<string>;
  onOpen: (id: string) => void;
}

function Targets({ targets }: { targets: AuditEvent["targets"] }) {
  if (!targets?.length) return <Typography variant="body2" color="text.disabled">—</Typography>;
  const more = targets.length - 1;
  // A native title: cheap enough for hundreds of rows.
  return (
    <span title={targets.map(targetLabel).join(", ")}>
      {targetLabel(targets[0])}
      {more > 0 ? ` +${more}` : ""}
    </span>
  );
}

/** One line per cell, cut with an ellipsis: the table stays dense and fits the page. */
const cell = { whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" } as const;

const COLUMNS = [
  { label: "Time", width: 196 },
  { label: "Action", width: "18%" },
  { label: "Outcome", width: 116 },
  { label: "Actor", width: "15%" },
  { label: "Targets", width: "16%" },
  { label: "Source", width: 120 },
  { label: "Description", width: undefined },
];

// Memoised: a new page or a live arrival re-renders only the rows that changed.
const EventRow = memo(function EventRow({ event, fresh, onOpen }: { event: AuditEvent; fresh: boolean; onOpen: (id: string) => void }) {
  const outcome = event.outcome ?? "unknown";
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onOpen(event.id);
    }
  };
  return (
    <TableRow
      hover
      tabIndex={0}
      data-testid="event-row"
      data-event-id={event.id}
      onClick={() => onOpen(event.id)}
      onKeyDown={onKeyDown}
      sx={{
        cursor: "pointer",
        "&:focus-visible": { outline: "2px solid", outlineColor: "primary.main", outlineOffset: -2 },
        ...(fresh ? { animation: `${flash} 3s ease-out` } : {}),
      }}
    >
      <TableCell sx={cell}>
        <Tooltip title={event.time}>
          <span>{formatCompact(event.time)}</span>
        </Tooltip>
      </TableCell>
      <TableCell sx={{ ...cell, fontFamily: "monospace", fontSize: 13 }} title={event.action}>
        {event.action}
      </TableCell>
      <TableCell sx={cell}>
        <Chip size="small" label={outcome} color={OUTCOME_COLOR[outcome]} variant={outcome === "unknown" ? "outlined" : "filled"} />
      </TableCell>
      <TableCell sx={cell} title={actorLabel(event.actor)}>
        {event.actor?.name ?? event.actor?.id}
        {event.actor?.name ? (
          <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 0.75 }}>
            {event.actor.id}
          </Typography>
        ) : null}
      </TableCell>
      <TableCell sx={cell}>
        <Targets targets={event.targets} />
      </TableCell>
      <TableCell sx={cell}>{event.source?.app ?? <Typography variant="body2" color="text.disabled">—</Typography>}</TableCell>
      <TableCell sx={cell}>
        {event.description ? <span title={event.description}>{event.description}</span> : null}
      </TableCell>
    </TableRow>
  );
});

export function EventTable({ events, busy, fresh, onOpen }: Props) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Audit events" aria-busy={busy} sx={{ tableLayout: "fixed", minWidth: 1000 }}>
        <TableHead>
          <TableRow>
            {COLUMNS.map((c) => (
              <TableCell key={c.label} sx={{ width: c.width }}>
                {c.label}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {events.map((e) => (
            <EventRow key={e.id} event={e} fresh={Boolean(fresh?.has(e.id))} onOpen={onOpen} />
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
