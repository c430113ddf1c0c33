/** A titled card of the dashboard, with its own loading and error states. */
import Card from "@mui/material/Card";
import CardContent from "@mui/material/CardContent";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { ErrorState, Loading } from "../../components/States";

interface Props {
  title: string;
  testId: string;
  /** Something on the right of the title: a link, a chip. */
  action?: ReactNode;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  children?: ReactNode;
}

export function DashboardCard({ title, testId, action, loading, error, onRetry, children }: Props) {
  const headingId = `${testId}-title`;
  return (
    <Card variant="outlined" data-testid={testId} component="section" aria-labelledby={headingId} sx={{ height: "100%" }}>
      <CardContent>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1 }}>
          <Typography id={headingId} variant="h6" component="h2" sx={{ flexGrow: 1, fontSize: 16 }}>
            {title}
          </Typography>
          {action}
        </Box>
        {error ? <ErrorState error={error} onRetry={onRetry} /> : loading ? <Loading /> : children}
      </CardContent>
    </Card>
  );
}
