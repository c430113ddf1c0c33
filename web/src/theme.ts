import { createTheme } from "@mui/material/styles";

export const theme = createTheme({
  palette: {
    primary: { main: "#1f4e79" },
    secondary: { main: "#00796b" },
    background: { default: "#f5f7fa" },
  },
  shape: { borderRadius: 6 },
  typography: { fontSize: 14, h5: { fontWeight: 600 }, h6: { fontWeight: 600 } },
  components: {
    MuiTableCell: { styleOverrides: { sizeSmall: { paddingTop: 6, paddingBottom: 6 } } },
  },
});

/** Colours of finding severities, shared by charts and chips. */
export const severityColor: Record<string, string> = {
  critical: "#8e0000",
  high: "#d32f2f",
  medium: "#ed6c02",
  low: "#0288d1",
  informational: "#757575",
};
