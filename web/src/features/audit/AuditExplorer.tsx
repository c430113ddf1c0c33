import { PageHeader } from "../../components/PageHeader";

export function AuditExplorer() {
  return <PageHeader title="Audit explorer" />;
}
