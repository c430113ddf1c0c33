/** Several region names: pick from the list or type one and press Enter (commas also split). */
import Autocomplete from "@mui/material/Autocomplete";
import TextField from "@mui/material/TextField";
import { COMMON_REGIONS, normalizeRegions } from "./accountForm";

export function RegionsField({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (regions: string[]) => void;
  error?: string;
}) {
  return (
    <Autocomplete
      multiple
      freeSolo
      autoSelect
      options={COMMON_REGIONS}
      value={value}
      onChange={(_, next) => onChange(normalizeRegions(next))}
      renderInput={(params) => (
        <TextField
          {...params}
          label="Regions"
          margin="dense"
          required={value.length === 0}
          error={Boolean(error)}
          helperText={error ?? "The regions to scan. Type a name and press Enter, or pick one."}
        />
      )}
    />
  );
}
