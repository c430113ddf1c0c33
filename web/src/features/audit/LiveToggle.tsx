/** The "Live" switch and the state of its connection. */
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import FormControlLabel from "@mui/material/FormControlLabel";
import Switch from "@mui/material/Switch";
import Tooltip from "@mui/material/Tooltip";
import type { LiveTail } from "./useLiveTail";

const LABELS = {
  connecting: { text: "Connecting…", color: "default" },
  connected: { text: "Connected", color: "success" },
  reconnecting: { text: "Reconnecting…", color: "warning" },
  error: { text: "Error", color: "error" },
} as const;

interface Props {
  on: boolean;
  onChange: (on: boolean) => void;
  live: LiveTail;
  /** Why the live tail cannot follow this query, if it cannot. */
  unavailable?: string;
}

export function LiveToggle({ on, onChange, live, unavailable }: Props) {
  const label = live.status === "off" ? null : LABELS[live.status];
  const toggle = (
    <FormControlLabel
      label="Live"
      disabled={Boolean(unavailable)}
      control={
        <Switch
          checked={on && !unavailable}
          onChange={(e) => onChange(e.target.checked)}
          slotProps={{ input: { "aria-label": "Live tail" } }}
        />
      }
    />
  );
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
      {unavailable ? (
        <Tooltip title={unavailable}>
          <span>{toggle}</span>
        </Tooltip>
      ) : (
        toggle
      )}
      <Box aria-live="polite" data-testid="live-status">
        {label ? (
          <Tooltip title={live.problem ?? "New matching events appear at the top of the table."}>
            <Chip size="small" label={live.problem && live.status === "error" ? `Error: ${live.problem}` : label.text} color={label.color} variant="outlined" />
          </Tooltip>
        ) : null}
      </Box>
    </Box>
  );
}
