/** Start a scan of one account and go to its page; shown only to those who may scan. */
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import Button from "@mui/material/Button";
import { useNavigate } from "react-router-dom";
import { useAuth } from "../../../auth/AuthContext";
import { useStartScan } from "../queries";

export function ScanNowButton({ account, onError }: { account: string; onError: (error: unknown) => void }) {
  const { can } = useAuth();
  const start = useStartScan();
  const navigate = useNavigate();
  if (!can("compliance.scan")) return null;
  return (
    <Button
      size="small"
      variant="outlined"
      startIcon={<PlayArrowIcon />}
      disabled={start.isPending}
      data-testid={`scan-account-${account}`}
      aria-label={`Scan now: ${account}`}
      onClick={() =>
        start.mutate(account, {
          onSuccess: (scan) => navigate(`/compliance/scans/${scan.id}`),
          onError,
        })
      }
    >
      Scan now
    </Button>
  );
}
