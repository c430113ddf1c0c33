/** One control in full: what it checks and why, the condition, the fix, the requirements it supports. */
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { Link as RouterLink, useParams } from "react-router-dom";
import { PageHeader } from "../../../components/PageHeader";
import { CodeBlock, ErrorState, Loading } from "../../../components/States";
import { SeverityChip } from "../display";
import { useControl } from "../queries";
import { Fact, Section } from "../Section";
import { conditionText } from "./conditionText";
import { FrameworkMappings } from "./FrameworkMappings";
import { RemediationView } from "./RemediationView";

export function ControlPage() {
  const { id } = useParams();
  const query = useControl(id);
  if (query.isPending) return <Loading label="Loading the control" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const control = query.data;
  return (
    <>
      <PageHeader
        title={control.title}
        subtitle={
          <>
            {control.id} ·{" "}
            <Link component={RouterLink} to="/compliance/controls">
              All controls
            </Link>
          </>
        }
        actions={
          <Button component={RouterLink} to={`/compliance/findings?control=${encodeURIComponent(control.id)}&status=all`} variant="outlined">
            Findings of this control
          </Button>
        }
      />
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { sm: "repeat(4, auto)" }, justifyContent: "start", mb: 2 }}>
        <Fact label="Severity">
          <SeverityChip severity={control.severity} />
        </Fact>
        <Fact label="Service">{control.service}</Fact>
        <Fact label="Category">{control.category}</Fact>
        <Fact label="Resource type">
          <code>{control.resource_type}</code>
        </Fact>
      </Box>
      <Section title="What it checks">
        <Typography>{control.description}</Typography>
      </Section>
      <Section title="Why it matters">
        <Typography>{control.rationale}</Typography>
      </Section>
      <Section title="Condition" testId="control-condition">
        {control.applies_when ? (
          <>
            <Typography variant="subtitle2" component="h3">
              Applies when
            </Typography>
            <CodeBlock>{conditionText(control.applies_when)}</CodeBlock>
          </>
        ) : null}
        {control.condition ? (
          <>
            <Typography variant="subtitle2" component="h3">
              A resource passes when
            </Typography>
            <CodeBlock>{conditionText(control.condition)}</CodeBlock>
          </>
        ) : (
          <Typography>
            Judged by the built-in check <code>{control.hook}</code> (see docs/compliance.md, “Hooks”, for exactly what it
            accepts).
          </Typography>
        )}
      </Section>
      <Section title="How to fix it">
        <RemediationView remediation={control.remediation} />
      </Section>
      <Section title="Frameworks and requirements">
        <FrameworkMappings frameworks={control.frameworks} />
      </Section>
    </>
  );
}
