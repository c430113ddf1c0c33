/** One finding: what was judged, why, the evidence, how to fix it, what it maps to. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router-dom";
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { ErrorState, Loading } from "../../../components/States";
import { RemediationView } from "../controls/RemediationView";
import { FrameworkMappings } from "../controls/FrameworkMappings";
import { SeverityChip, StatusChip, When } from "../display";
import { useFinding } from "../queries";
import { Fact, Section } from "../Section";
import type { Finding } from "../types";
import { EvidenceView } from "./EvidenceView";
import { ExceptionDialog } from "./ExceptionDialog";

function Since({ finding }: { finding: Finding }) {
  if (finding.resolved_at)
    return (
      <>
        resolved <When iso={finding.resolved_at} />
      </>
    );
  return (
    <>
      since <When iso={finding.first_seen} />
    </>
  );
}

function FindingFacts({ finding }: { finding: Finding }) {
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { sm: "repeat(2, minmax(0, 1fr))", md: "repeat(4, minmax(0, 1fr))" }, mb: 2 }}>
      <Fact label="Severity">
        <SeverityChip severity={finding.severity} />
      </Fact>
      <Fact label="Status">
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }} data-testid="finding-status" data-status={finding.status}>
          <StatusChip status={finding.status} />
          {finding.status !== finding.result ? (
            <Box sx={{ display: "flex", gap: 0.5, alignItems: "center", typography: "body2" }}>
              control says <StatusChip status={finding.result} />
            </Box>
          ) : null}
          <Typography variant="body2" color="text.secondary">
            <Since finding={finding} />
          </Typography>
        </Box>
      </Fact>
      <Fact label="Account / region">
        {finding.account} · {finding.region}
      </Fact>
      <Fact label="Last seen">
        <When iso={finding.last_seen} /> (
        <Link component={RouterLink} to={`/compliance/scans/${finding.last_scan_id}`}>
          scan {finding.last_scan_id}
        </Link>
        )
      </Fact>
      <Box sx={{ gridColumn: "1 / -1" }}>
        <Fact label={`Resource (${finding.resource_type})`}>
          <Typography sx={{ fontFamily: "monospace" }}>{finding.resource_id}</Typography>
        </Fact>
      </Box>
    </Box>
  );
}

export function FindingPage() {
  const { id } = useParams();
  const { can } = useAuth();
  const query = useFinding(id);
  const [excepting, setExcepting] = useState(false);
  if (query.isPending) return <Loading label="Loading the finding" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const finding = query.data;
  const mayExcept = can("compliance.exceptions") && finding.status !== "MUTED" && ["FAIL", "ERROR"].includes(finding.result);

  return (
    <>
      <PageHeader
        title={finding.title}
        subtitle={
          <>
            <Link component={RouterLink} to={`/compliance/controls/${finding.control_id}`}>
              {finding.control_id}
            </Link>{" "}
            · {finding.service} ·{" "}
            <Link component={RouterLink} to="/compliance/findings">
              All findings
            </Link>
          </>
        }
        actions={
          mayExcept ? (
            <Button variant="outlined" onClick={() => setExcepting(true)}>
              Create exception
            </Button>
          ) : null
        }
      />
      {finding.status === "MUTED" ? (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="finding-muted">
          Muted by{" "}
          <Link component={RouterLink} to="/compliance/exceptions">
            exception {finding.exception_id}
          </Link>
          : it no longer counts against the scores. It reopens when the exception expires or is revoked.
        </Alert>
      ) : null}
      <Box sx={{ opacity: finding.status === "MUTED" ? 0.7 : 1 }}>
        <FindingFacts finding={finding} />
        <Section title="Why">
          <Typography>{finding.details}</Typography>
        </Section>
        {finding.remediation ? (
          <Section title="How to fix it">
            <RemediationView remediation={finding.remediation} />
          </Section>
        ) : null}
        <Section title="Evidence at the last scan">
          <EvidenceView evidence={finding.evidence} />
        </Section>
        {finding.frameworks ? (
          <Section title="Frameworks and requirements">
            <FrameworkMappings frameworks={finding.frameworks} />
          </Section>
        ) : null}
        <Section title="History">
          <Typography>
            First seen <When iso={finding.first_seen} />, last seen <When iso={finding.last_seen} />
            {finding.resolved_at ? (
              <>
                , resolved <When iso={finding.resolved_at} />
              </>
            ) : null}
            . Each scan's result is in its{" "}
            <Link component={RouterLink} to="/compliance/scans">
              scan summary
            </Link>
            .
          </Typography>
        </Section>
      </Box>
      {excepting ? <ExceptionDialog finding={finding} onClose={() => setExcepting(false)} /> : null}
    </>
  );
}
