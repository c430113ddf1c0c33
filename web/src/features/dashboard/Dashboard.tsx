/** The landing page: trail volume, top actions and actors, ledger and compliance at a glance. */
import Grid from "@mui/material/Grid";
import { useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { EmptyState } from "../../components/States";
import { PageHeader } from "../../components/PageHeader";
import { useAuditStats } from "./api";
import { FindingsCard } from "./FindingsCard";
import { LedgerCard } from "./LedgerCard";
import { ScoresCard } from "./ScoresCard";
import { TopListCard } from "./TopListCard";
import { VolumeCard } from "./VolumeCard";
import { WindowSelector } from "./WindowSelector";
import { DEFAULT_WINDOW, parseWindow } from "./windows";
import type { WindowId } from "./windows";

/** The cards a person may see, in page order; each needs its permission. */
function Cards({ windowId }: { windowId: WindowId }) {
  const { can } = useAuth();
  const trail = can("trail.read");
  const stats = useAuditStats(windowId, trail);
  const half = { xs: 12, md: 6 };
  const top = (title: string, testId: string, field: "action" | "actor") => (
    <Grid size={half}>
      <TopListCard
        title={title}
        testId={testId}
        field={field}
        items={field === "action" ? stats.data?.top_actions : stats.data?.top_actors}
        windowId={windowId}
        loading={stats.isPending}
        error={stats.error}
      />
    </Grid>
  );
  return (
    <Grid container spacing={2}>
      {trail ? (
        <Grid size={{ xs: 12, lg: can("ledger.read") ? 8 : 12 }}>
          <VolumeCard windowId={windowId} stats={stats.data} loading={stats.isPending} error={stats.error} onRetry={() => void stats.refetch()} />
        </Grid>
      ) : null}
      {can("ledger.read") ? (
        <Grid size={{ xs: 12, md: 6, lg: trail ? 4 : 6 }}>
          <LedgerCard />
        </Grid>
      ) : null}
      {can("compliance.read") ? (
        <>
          <Grid size={half}>
            <FindingsCard />
          </Grid>
          <Grid size={half}>
            <ScoresCard />
          </Grid>
        </>
      ) : null}
      {trail ? top("Top actions", "card-top-actions", "action") : null}
      {trail ? top("Top actors", "card-top-actors", "actor") : null}
    </Grid>
  );
}

export function Dashboard() {
  const { me, can } = useAuth();
  const [params, setParams] = useSearchParams();
  const windowId = parseWindow(params.get("range"));
  const any = ["trail.read", "ledger.read", "compliance.read"].some(can);
  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={me ? `Tenant ${me.tenant}` : undefined}
        actions={
          can("trail.read") ? (
            <WindowSelector
              value={windowId}
              onChange={(w) => setParams(w === DEFAULT_WINDOW ? {} : { range: w }, { replace: true })}
            />
          ) : null
        }
      />
      {any ? (
        <Cards windowId={windowId} />
      ) : (
        <EmptyState title="Nothing to show">Your role does not include any of the dashboard's views.</EmptyState>
      )}
    </>
  );
}
