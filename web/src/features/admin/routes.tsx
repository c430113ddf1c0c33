import { PageHeader } from "../../components/PageHeader";

export function AdminRoutes() {
  return <PageHeader title="Administration" />;
}
