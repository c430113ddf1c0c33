/** A time in the browser's time zone, with the ISO value in a tooltip. */
import Tooltip from "@mui/material/Tooltip";

export function LocalTime({ iso, empty = "–" }: { iso: string | null; empty?: string }) {
  if (!iso) return <>{empty}</>;
  const text = new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <Tooltip title={iso}>
      <time dateTime={iso}>{text}</time>
    </Tooltip>
  );
}
