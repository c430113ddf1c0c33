/** Pretty-printed JSON with a Copy button. */
import Box from "@mui/material/Box";
import { CopyButton } from "./CopyButton";

export function JsonBlock({ value, label, maxHeight = 360 }: { value: unknown; label: string; maxHeight?: number }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <Box sx={{ position: "relative" }}>
      <Box sx={{ position: "absolute", top: 4, right: 4 }}>
        <CopyButton text={text} label={`Copy ${label}`} />
      </Box>
      <Box
        component="pre"
        aria-label={label}
        tabIndex={0}
        sx={{
          m: 0,
          p: 1.5,
          pr: 10,
          bgcolor: "grey.100",
          borderRadius: 1,
          fontSize: 12,
          overflow: "auto",
          maxHeight,
          whiteSpace: "pre-wrap",
          wordBreak: "break-word",
        }}
      >
        {text}
      </Box>
    </Box>
  );
}
