import { PageHeader } from "../../components/PageHeader";

export function Dashboard() {
  return <PageHeader title="Dashboard" />;
}
