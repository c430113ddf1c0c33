/** The outcome of a verification: the overall result, warnings, each step with ✓ / ✗, and the key used. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { Step, VerificationResult } from "./verifyEvent";

const SEVERITY = { verified: "success", failed: "error", pending: "info" } as const;

function StepMark({ step }: { step: Step }) {
  const [mark, color, said] = step.ok
    ? ["✓", "success.main", "passed"]
    : step.pending
      ? ["…", "info.main", "not yet possible"]
      : ["✗", "error.main", "failed"];
  return (
    <Box component="span" sx={{ color, fontWeight: 700, width: 20, flexShrink: 0, textAlign: "center" }}>
      <span aria-hidden="true">{mark}</span>
      <Box component="span" sx={visuallyHidden}>
        {said}:
      </Box>
    </Box>
  );
}

const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;

export function VerificationReport({ result }: { result: VerificationResult }) {
  return (
    <Box sx={{ mt: 1.5 }}>
      <Alert
        severity={SEVERITY[result.status]}
        data-testid="verify-result"
        data-status={result.status}
        sx={{ wordBreak: "break-word" }}
      >
        {result.summary}
      </Alert>
      {result.warnings.map((w) => (
        <Alert key={w} severity="warning" data-testid="verify-warning" sx={{ mt: 1 }}>
          {w}
        </Alert>
      ))}
      <Box component="ol" aria-label="Verification steps" sx={{ listStyle: "none", p: 0, m: 0, mt: 1.5 }}>
        {result.steps.map((step) => (
          <Box
            component="li"
            key={step.id}
            data-testid={`verify-step-${step.id}`}
            data-ok={String(step.ok)}
            sx={{ display: "flex", gap: 1, py: 0.5 }}
          >
            <StepMark step={step} />
            <Box sx={{ minWidth: 0 }}>
              <Typography variant="body2" sx={{ fontWeight: 500 }}>
                {step.label}
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ wordBreak: "break-word", fontSize: 13 }}>
                {step.detail}
              </Typography>
            </Box>
          </Box>
        ))}
      </Box>
      {result.key ? (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }} data-testid="verify-key">
          Key used: {result.key.name}, key id{" "}
          <Box component="span" sx={{ fontFamily: "monospace" }}>
            {result.key.keyId}
          </Box>{" "}
          — {result.key.pinned ? "pinned in this browser" : "the server's own key, not pinned"}.
        </Typography>
      ) : null}
    </Box>
  );
}
