/** 24 h / 7 d / 30 d. */
import ToggleButton from "@mui/material/ToggleButton";
import ToggleButtonGroup from "@mui/material/ToggleButtonGroup";
import { WINDOWS } from "./windows";
import type { WindowId } from "./windows";

export function WindowSelector({ value, onChange }: { value: WindowId; onChange: (w: WindowId) => void }) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={value}
      aria-label="Time window"
      onChange={(_, next: WindowId | null) => {
        if (next) onChange(next);
      }}
    >
      {WINDOWS.map((w) => (
        <ToggleButton key={w.id} value={w.id} aria-label={`Last ${w.label}`}>
          {w.label}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
