/** Generate a password (shown once) or type one; used when inviting and when resetting. */
import FormControl from "@mui/material/FormControl";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormLabel from "@mui/material/FormLabel";
import Radio from "@mui/material/Radio";
import RadioGroup from "@mui/material/RadioGroup";
import TextField from "@mui/material/TextField";
import { MIN_PASSWORD } from "./validation";

interface Props {
  mode: "generate" | "set";
  password: string;
  error?: string;
  onMode: (mode: "generate" | "set") => void;
  onPassword: (password: string) => void;
}

export function PasswordChoice({ mode, password, error, onMode, onPassword }: Props) {
  return (
    <FormControl component="fieldset" sx={{ mt: 2, display: "block" }}>
      <FormLabel component="legend">Password</FormLabel>
      <RadioGroup value={mode} onChange={(e) => onMode(e.target.value as "generate" | "set")}>
        <FormControlLabel value="generate" control={<Radio />} label="Generate a temporary password (shown once)" />
        <FormControlLabel value="set" control={<Radio />} label="Type a password" />
      </RadioGroup>
      {mode === "set" ? (
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => onPassword(e.target.value)}
          error={Boolean(error)}
          helperText={error ?? `At least ${MIN_PASSWORD} characters, not a common or easily guessed password.`}
          fullWidth
          margin="dense"
        />
      ) : null}
    </FormControl>
  );
}
