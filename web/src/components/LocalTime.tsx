/** A time in the browser's time zone, with the ISO value in a tooltip. */
import Tooltip from "@mui/material/Tooltip";

export function LocalTime({ iso, empty = "—" }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <>{empty}</>;
  const date = new Date(iso);
  // A value that is no date (e.g. from old local storage) is shown as it is.
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <Tooltip title={iso}>
      <time dateTime={iso}>{text}</time>
    </Tooltip>
  );
}
