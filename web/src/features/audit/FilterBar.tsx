/** The search box and filters; nothing is queried until Apply (or Enter). */
import SearchIcon from "@mui/icons-material/Search";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import InputAdornment from "@mui/material/InputAdornment";
import MenuItem from "@mui/material/MenuItem";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import { useState } from "react";
import type { FormEvent } from "react";
import { EMPTY_FILTERS, OUTCOMES, PRESETS, presetOf, validateFilters } from "./filters";
import type { AuditFilters, FilterErrors, RangeId } from "./filters";
import { fromLocalInput, toLocalInput } from "./time";
import { filtersKey } from "./urlState";

interface Props {
  /** The applied filters; when they change from outside (back, forward, a link), the draft follows. */
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}

const TEXT_FIELDS = [
  { key: "actor", label: "Actor", helper: "Actor id, exact" },
  { key: "action", label: "Action", helper: "Exact, or a prefix: trade.*" },
  { key: "target", label: "Target", helper: "id, or type:id" },
  { key: "source", label: "Source", helper: "Source app" },
] as const;

function trimmed(f: AuditFilters): AuditFilters {
  return { ...f, q: f.q.trim(), actor: f.actor.trim(), action: f.action.trim(), target: f.target.trim(), source: f.source.trim() };
}

export function FilterBar({ filters, onApply }: Props) {
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [errors, setErrors] = useState<FilterErrors>({});
  // Follow the URL when it changes from outside (back, forward, a link) but not when it is
  // our own Apply arriving: navigations render as transitions, and text typed meanwhile stays.
  const key = filtersKey(filters);
  const [seen, setSeen] = useState(key);
  const [pending, setPending] = useState<string | null>(null);
  if (key !== seen) {
    setSeen(key);
    setPending(null);
    if (key !== pending) {
      setDraft(filters);
      setErrors({});
    }
  }
  const set = (patch: Partial<AuditFilters>) => setDraft((d) => ({ ...d, ...patch }));

  const changeRange = (range: RangeId) => {
    setErrors({});
    if (range !== "custom") return set({ range, since: "", until: "" });
    // Start the custom range where the chosen one was, so it only needs adjusting.
    const now = Date.now();
    const span = presetOf(draft.range)?.ms ?? 86_400_000;
    set({ range, since: new Date(now - span).toISOString(), until: new Date(now).toISOString() });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = trimmed(draft);
    const problems = validateFilters(next);
    setErrors(problems);
    if (problems.since || problems.until) return;
    if (filtersKey(next) !== key) setPending(filtersKey(next));
    onApply(next);
  };

  const clear = () => {
    setDraft(EMPTY_FILTERS);
    setErrors({});
    if (filtersKey(EMPTY_FILTERS) !== key) setPending(filtersKey(EMPTY_FILTERS));
    onApply(EMPTY_FILTERS);
  };

  return (
    <Paper component="form" variant="outlined" onSubmit={submit} role="search" aria-label="Audit filters" sx={{ p: 2, mb: 2 }}>
      <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }}>
        <TextField
          label="Search"
          size="small"
          value={draft.q}
          onChange={(e) => set({ q: e.target.value })}
          placeholder="Words in the action, actor, targets or description"
          sx={{ flex: "1 1 240px" }}
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            },
          }}
        />
        <TextField
          select
          label="Time range"
          size="small"
          value={draft.range}
          onChange={(e) => changeRange(e.target.value as RangeId)}
          sx={{ width: 175 }}
        >
          {PRESETS.map((p) => (
            <MenuItem key={p.id} value={p.id}>
              {p.label}
            </MenuItem>
          ))}
          <MenuItem value="all">All time</MenuItem>
          <MenuItem value="custom">Custom…</MenuItem>
        </TextField>
        {draft.range === "custom" ? (
          <>
            <TextField
              label="Since"
              type="datetime-local"
              size="small"
              value={toLocalInput(draft.since)}
              onChange={(e) => set({ since: fromLocalInput(e.target.value) })}
              error={Boolean(errors.since)}
              helperText={errors.since ?? "Your local time"}
              slotProps={{ inputLabel: { shrink: true } }}
              sx={{ width: 235 }}
            />
            <TextField
              label="Until"
              type="datetime-local"
              size="small"
              value={toLocalInput(draft.until)}
              onChange={(e) => set({ until: fromLocalInput(e.target.value) })}
              error={Boolean(errors.until)}
              helperText={errors.until ?? "Events before this"}
              slotProps={{ inputLabel: { shrink: true } }}
              sx={{ width: 235 }}
            />
          </>
        ) : null}
        <Button type="submit" variant="contained">
          Apply
        </Button>
        <Button type="button" onClick={clear}>
          Clear
        </Button>
      </Box>
      <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", mt: 1.5 }}>
        {TEXT_FIELDS.map((field) => (
          <TextField
            key={field.key}
            label={field.label}
            size="small"
            value={draft[field.key]}
            onChange={(e) => set({ [field.key]: e.target.value })}
            helperText={field.helper}
            sx={{ flex: "1 1 160px" }}
          />
        ))}
        <TextField
          select
          label="Outcome"
          size="small"
          value={draft.outcome}
          onChange={(e) => set({ outcome: e.target.value as AuditFilters["outcome"] })}
          sx={{ width: 150 }}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value="">Any</MenuItem>
          {OUTCOMES.map((o) => (
            <MenuItem key={o} value={o}>
              {o[0].toUpperCase() + o.slice(1)}
            </MenuItem>
          ))}
        </TextField>
      </Box>
    </Paper>
  );
}
