import { PageHeader } from "../../components/PageHeader";

export function ComplianceRoutes() {
  return <PageHeader title="Compliance" />;
}
