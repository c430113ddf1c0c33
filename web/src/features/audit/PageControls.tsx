/** Keyset paging: Newer / Older and the page size; there is no total, by design. */
import ChevronLeftIcon from "@mui/icons-material/ChevronLeft";
import ChevronRightIcon from "@mui/icons-material/ChevronRight";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { PAGE_SIZES } from "./urlState";

interface Props {
  page: number;
  shown: number;
  pageSize: number;
  hasOlder: boolean;
  loading: boolean;
  onNewer: () => void;
  onOlder: () => void;
  onPageSize: (size: number) => void;
}

export function PageControls({ page, shown, pageSize, hasOlder, loading, onNewer, onOlder, onPageSize }: Props) {
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, mt: 1.5, flexWrap: "wrap" }}>
      <TextField
        select
        label="Rows per page"
        size="small"
        value={pageSize}
        onChange={(e) => onPageSize(Number(e.target.value))}
        sx={{ width: 140 }}
      >
        {PAGE_SIZES.map((n) => (
          <MenuItem key={n} value={n}>
            {n}
          </MenuItem>
        ))}
      </TextField>
      <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }} aria-live="polite">
        Page {page} · {shown} event{shown === 1 ? "" : "s"} shown, newest first
      </Typography>
      <Button startIcon={<ChevronLeftIcon />} disabled={page <= 1 || loading} onClick={onNewer}>
        Newer
      </Button>
      <Button endIcon={<ChevronRightIcon />} disabled={!hasOlder || loading} onClick={onOlder}>
        Older
      </Button>
    </Box>
  );
}
