/** "Export" → CSV or NDJSON of the current query; shown only to people with trail.export. */
import FileDownloadIcon from "@mui/icons-material/FileDownload";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Menu from "@mui/material/Menu";
import MenuItem from "@mui/material/MenuItem";
import Snackbar from "@mui/material/Snackbar";
import { useState } from "react";
import type { Query } from "../../api/client";
import { ApiError } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { downloadExport } from "./exportFile";
import type { ExportFormat } from "./exportFile";

export function ExportMenu({ query, disabled }: { query: Query; disabled?: boolean }) {
  const { can } = useAuth();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>({ ok: true, text: "" });
  const [noticeOpen, setNoticeOpen] = useState(false);
  if (!can("trail.export")) return null;

  const run = async (format: ExportFormat) => {
    setAnchor(null);
    setBusy(true);
    try {
      const name = await downloadExport(format, query);
      setNotice({ ok: true, text: `Downloaded ${name}.` });
      setNoticeOpen(true);
    } catch (error) {
      const text = error instanceof ApiError ? error.describe() : String(error);
      setNotice({ ok: false, text: `The export failed: ${text}` });
      setNoticeOpen(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button
        variant="outlined"
        startIcon={<FileDownloadIcon />}
        onClick={(e) => setAnchor(e.currentTarget)}
        disabled={busy || disabled}
        aria-haspopup="menu"
        aria-expanded={anchor ? "true" : undefined}
        aria-controls={anchor ? "audit-export-menu" : undefined}
      >
        {busy ? "Exporting…" : "Export"}
      </Button>
      <Menu id="audit-export-menu" anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        <MenuItem onClick={() => void run("csv")}>CSV (spreadsheet)</MenuItem>
        <MenuItem onClick={() => void run("ndjson")}>NDJSON (one JSON event per line)</MenuItem>
      </Menu>
      <Snackbar open={noticeOpen} autoHideDuration={6000} onClose={() => setNoticeOpen(false)}>
        <Alert severity={notice.ok ? "success" : "error"} onClose={() => setNoticeOpen(false)} variant="filled">
          {notice.text}
        </Alert>
      </Snackbar>
    </>
  );
}
