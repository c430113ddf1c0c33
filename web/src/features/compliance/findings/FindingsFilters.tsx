/** The filter bar of the findings list. */
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import Chip from "@mui/material/Chip";
import FormControlLabel from "@mui/material/FormControlLabel";
import ListItemText from "@mui/material/ListItemText";
import MenuItem from "@mui/material/MenuItem";
import Switch from "@mui/material/Switch";
import TextField from "@mui/material/TextField";
import { severityColor } from "../../../theme";
import { useAccounts, useControls, useFrameworks } from "../queries";
import { FINDING_STATUSES, SEVERITIES } from "../types";
import type { FindingStatus } from "../types";
import { DEFAULT_FILTERS, isDefaultFilters } from "./findingFilters";
import type { FindingFilters } from "./findingFilters";

const STATUS_LABEL: Record<FindingStatus, string> = {
  FAIL: "Fail",
  ERROR: "Error",
  MUTED: "Muted",
  PASS: "Pass",
  NOT_APPLICABLE: "Not applicable",
};

function Pick({
  label,
  value,
  onChange,
  options,
  width = 170,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  width?: number;
}) {
  // A value from the URL stays selectable while the options load (or if it is unknown).
  const all = value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
  return (
    <TextField select size="small" label={label} value={value} onChange={(e) => onChange(e.target.value)} sx={{ width }}>
      <MenuItem value="">
        <em>Any</em>
      </MenuItem>
      {all.map((o) => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

export function FindingsFilters({ filters, onChange }: { filters: FindingFilters; onChange: (f: FindingFilters) => void }) {
  const frameworks = useFrameworks();
  const accounts = useAccounts();
  const controls = useControls();
  const set = <K extends keyof FindingFilters>(key: K, value: FindingFilters[K]) => onChange({ ...filters, [key]: value });
  const services = [...new Set((controls.data ?? []).map((c) => c.service))].sort();

  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1.5, alignItems: "center", mb: 2 }} role="search" aria-label="Filter findings">
      <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }} role="group" aria-label="Severity">
        {SEVERITIES.map((s) => {
          const on = filters.severity.includes(s);
          return (
            <Chip
              key={s}
              label={s}
              clickable
              aria-pressed={on}
              onClick={() => set("severity", on ? filters.severity.filter((x) => x !== s) : [...filters.severity, s])}
              variant={on ? "filled" : "outlined"}
              sx={{
                textTransform: "capitalize",
                borderColor: severityColor[s],
                color: on ? "#fff" : severityColor[s],
                bgcolor: on ? severityColor[s] : undefined,
                "&&:hover": { bgcolor: on ? severityColor[s] : undefined },
              }}
            />
          );
        })}
      </Box>
      <TextField
        select
        size="small"
        label="Status"
        sx={{ width: 200 }}
        value={filters.status}
        onChange={(e) => set("status", e.target.value as unknown as FindingStatus[])}
        slotProps={{
          select: {
            multiple: true,
            displayEmpty: true,
            renderValue: (v) => ((v as string[]).length ? (v as FindingStatus[]).map((s) => STATUS_LABEL[s]).join(", ") : "Any status"),
          },
          inputLabel: { shrink: true },
        }}
      >
        {FINDING_STATUSES.map((s) => (
          <MenuItem key={s} value={s}>
            <Checkbox size="small" checked={filters.status.includes(s)} />
            <ListItemText primary={STATUS_LABEL[s]} />
          </MenuItem>
        ))}
      </TextField>
      <Pick
        label="Framework"
        value={filters.framework}
        onChange={(v) => set("framework", v)}
        options={(frameworks.data ?? []).map((f) => ({ value: f.id, label: f.name }))}
        width={220}
      />
      <Pick label="Service" value={filters.service} onChange={(v) => set("service", v)} options={services.map((s) => ({ value: s, label: s }))} width={130} />
      <Pick label="Account" value={filters.account} onChange={(v) => set("account", v)} options={(accounts.data ?? []).map((a) => ({ value: a.name, label: a.name }))} width={150} />
      <Pick
        label="Control"
        value={filters.control}
        onChange={(v) => set("control", v)}
        options={(controls.data ?? []).map((c) => ({ value: c.id, label: `${c.id} · ${c.title}` }))}
        width={200}
      />
      <FormControlLabel
        control={<Switch checked={filters.includeGone} onChange={(e) => set("includeGone", e.target.checked)} />}
        label="Include gone resources"
      />
      {!isDefaultFilters(filters) ? <Button onClick={() => onChange(DEFAULT_FILTERS)}>Reset filters</Button> : null}
    </Box>
  );
}
