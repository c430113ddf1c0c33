/** Loading, error and empty states shared by every page. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import CircularProgress from "@mui/material/CircularProgress";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { ApiError } from "../api/client";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <Box role="status" aria-live="polite" sx={{ display: "flex", alignItems: "center", gap: 2, p: 3 }}>
      <CircularProgress size={20} />
      <Typography color="text.secondary">{label}…</Typography>
    </Box>
  );
}

/** An error from a query or mutation, said plainly, with a retry when one makes sense. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const text =
    error instanceof ApiError
      ? error.status === 403
        ? "Your role does not allow this."
        : error.describe()
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <Alert
      severity="error"
      sx={{ my: 2 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
    >
      {text}
    </Alert>
  );
}

/** Nothing to show yet: say why and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 3, my: 2, textAlign: "center" }}>
      <Typography variant="h6" gutterBottom>
        {title}
      </Typography>
      <Box sx={{ color: "text.secondary" }}>{children}</Box>
    </Paper>
  );
}

/** A copyable block of code (curl lines, keys). */
export function CodeBlock({ children }: { children: string }) {
  return (
    <Box
      component="pre"
      sx={{
        textAlign: "left",
        bgcolor: "grey.100",
        p: 1.5,
        borderRadius: 1,
        overflowX: "auto",
        fontSize: 13,
        whiteSpace: "pre-wrap",
        wordBreak: "break-all",
      }}
    >
      {children}
    </Box>
  );
}
