/** One event's fields, grouped the way an auditor reads them: when, who, what, on what, where. */
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { JsonBlock } from "./JsonBlock";
import { OUTCOME_COLOR } from "./format";
import { formatLocal } from "./time";
import type { AuditEvent } from "./types";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" aria-label={title} sx={{ mb: 2.5 }}>
      <Typography variant="overline" component="h3" color="text.secondary" sx={{ lineHeight: 2 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

type Row = [label: string, value: ReactNode | undefined];

/** A two-column list of the values that are present. */
function Fields({ rows }: { rows: Row[] }) {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== "");
  if (!present.length) return <Typography color="text.secondary">—</Typography>;
  return (
    <Box component="dl" sx={{ display: "grid", gridTemplateColumns: "140px 1fr", columnGap: 2, rowGap: 0.5, m: 0 }}>
      {present.map(([label, value]) => (
        <Box key={label} sx={{ display: "contents" }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {label}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, wordBreak: "break-word" }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function Time({ iso }: { iso?: string }) {
  if (!iso) return null;
  return (
    <Tooltip title={iso}>
      <span>{formatLocal(iso)}</span>
    </Tooltip>
  );
}

const mono = (text?: string) => (text ? <Box component="span" sx={{ fontFamily: "monospace" }}>{text}</Box> : undefined);

export function EventDetails({ event }: { event: AuditEvent }) {
  const outcome = event.outcome ?? "unknown";
  const a = event.actor ?? { id: "" };
  return (
    <>
      <Section title="When">
        <Fields rows={[["Happened", <Time iso={event.time} />], ["Received", <Time iso={event.received_at} />]]} />
      </Section>
      <Section title="Who">
        <Fields
          rows={[
            ["Actor", a.name ? `${a.name} (${a.id})` : mono(a.id)],
            ["Type", a.type],
            ["Email", a.email],
            ["IP address", mono(a.ip)],
            ["User agent", a.user_agent],
            ["Session", mono(a.session_id)],
          ]}
        />
      </Section>
      <Section title="What">
        <Fields
          rows={[
            ["Action", mono(event.action)],
            ["Category", event.category],
            ["Outcome", <Chip size="small" label={outcome} color={OUTCOME_COLOR[outcome]} />],
            ["Description", event.description],
          ]}
        />
      </Section>
      <Section title="Targets">
        {event.targets?.length ? (
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {event.targets.map((t) => (
              <li key={`${t.type}:${t.id}`}>
                <Typography variant="body2">
                  <Box component="span" sx={{ fontFamily: "monospace" }}>
                    {t.type}:{t.id}
                  </Box>
                  {t.name ? ` — ${t.name}` : ""}
                </Typography>
              </li>
            ))}
          </Box>
        ) : (
          <Typography variant="body2" color="text.secondary">
            None
          </Typography>
        )}
      </Section>
      <Section title="Source and context">
        <Fields
          rows={[
            ["Application", event.source?.app],
            ["Service", event.source?.service],
            ["Environment", event.source?.environment],
            ["Version", event.source?.version],
            ["Request id", mono(event.context?.request_id)],
            ["Trace id", mono(event.context?.trace_id)],
            ["Tenant", event.tenant],
          ]}
        />
      </Section>
      {event.changes ? (
        <Section title="Changes">
          <Box sx={{ display: "grid", gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr" }, gap: 1 }}>
            <Box>
              <Typography variant="caption" color="text.secondary">
                Before
              </Typography>
              <JsonBlock value={event.changes.before ?? null} label="Before" maxHeight={240} />
            </Box>
            <Box>
              <Typography variant="caption" color="text.secondary">
                After
              </Typography>
              <JsonBlock value={event.changes.after ?? null} label="After" maxHeight={240} />
            </Box>
          </Box>
        </Section>
      ) : null}
      {event.metadata ? (
        <Section title="Metadata">
          <JsonBlock value={event.metadata} label="Metadata" maxHeight={240} />
        </Section>
      ) : null}
      <Section title="Ledger">
        {event.ledger ? (
          <Fields
            rows={[
              ["Index", mono(String(event.ledger.index))],
              ["Leaf hash", mono(event.ledger.leaf_hash)],
            ]}
          />
        ) : (
          <Typography variant="body2" color="text.secondary">
            Not in the ledger yet: it is appended within moments of storage. Reopen the event shortly.
          </Typography>
        )}
      </Section>
    </>
  );
}
