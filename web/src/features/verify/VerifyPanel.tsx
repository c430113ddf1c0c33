/** Verify one stored event's inclusion in the signed ledger, in the browser. */
import VerifiedUserIcon from "@mui/icons-material/VerifiedUserOutlined";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import LinearProgress from "@mui/material/LinearProgress";
import Typography from "@mui/material/Typography";
import { useRef, useState } from "react";
import { KeyPinning, keyIdOf } from "./KeyPinning";
import { apiLedgerSource } from "./ledgerSource";
import { usePinnedKey } from "./pinnedKey";
import { VerificationReport } from "./VerificationReport";
import { verifyEvent, type VerificationResult } from "./verifyEvent";

export interface VerifyPanelProps {
  /** The event as the API returned it (GET /api/v1/audit/events/{id}). */
  event: Record<string, unknown>;
}

export function VerifyPanel({ event }: VerifyPanelProps) {
  // A result belongs to one event: another event starts afresh.
  return <EventVerification key={String(event.id)} event={event} />;
}

function EventVerification({ event }: VerifyPanelProps) {
  const pinned = usePinnedKey();
  const [progress, setProgress] = useState<string | null>(null);
  // With the key it was made with: pinning or unpinning makes it stale.
  const [outcome, setOutcome] = useState<{ result: VerificationResult; key: string | null } | null>(null);
  const pinnedKey = pinned?.verifierKey ?? null;
  const result = outcome && outcome.key === pinnedKey ? outcome.result : null;
  const run = useRef(0);

  const verify = async () => {
    const id = ++run.current;
    setOutcome(null);
    setProgress("Starting");
    const found = await verifyEvent(event, apiLedgerSource, {
      pinnedKey,
      onProgress: (m) => id === run.current && setProgress(m),
    }).catch(
      (error: unknown): VerificationResult => ({
        status: "failed",
        summary: `Verification failed: ${error instanceof Error ? error.message : String(error)}`,
        steps: [],
        warnings: [],
      }),
    );
    if (id !== run.current) return;
    setProgress(null);
    setOutcome({ result: found, key: pinnedKey });
  };

  return (
    <Box component="section" aria-labelledby="verify-title" data-testid="verify-panel" sx={{ mb: 2.5 }}>
      <Typography id="verify-title" variant="overline" component="h3" color="text.secondary" sx={{ lineHeight: 2 }}>
        Ledger proof
      </Typography>
      <Typography variant="body2" color="text.secondary">
        Checks, in this browser, that this event is in the signed ledger unchanged: its leaf hash is computed here from
        the event itself, its inclusion proof must lead to the root of the latest signed checkpoint, and that checkpoint
        must extend the one this browser verified before.
      </Typography>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, mt: 1.5, flexWrap: "wrap" }}>
        <Button
          variant="contained"
          data-testid="verify-button"
          startIcon={<VerifiedUserIcon />}
          onClick={() => void verify()}
          disabled={progress !== null}
        >
          Verify
        </Button>
        {pinned ? (
          <Chip size="small" color="success" variant="outlined" label={`Pinned key ${keyIdOf(pinned.verifierKey)}`} />
        ) : (
          <Chip size="small" color="warning" variant="outlined" label="Key not pinned: the server's own key is used" />
        )}
      </Box>
      {progress !== null ? (
        <Box role="status" aria-live="polite" sx={{ mt: 1.5 }} data-testid="verify-progress">
          <LinearProgress aria-label="Verifying" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
            {progress}…
          </Typography>
        </Box>
      ) : null}
      {result ? <VerificationReport result={result} /> : null}
      <KeyPinning />
    </Box>
  );
}
