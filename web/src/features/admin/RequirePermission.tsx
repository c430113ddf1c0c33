/** A page only some roles may open: say so plainly to the others. */
import type { ReactNode } from "react";
import { useAuth } from "../../auth/AuthContext";
import { EmptyState } from "../../components/States";

interface Props {
  permission?: string;
  superadmin?: boolean;
  children: ReactNode;
}

export function RequirePermission({ permission, superadmin, children }: Props) {
  const { me, can } = useAuth();
  const allowed = superadmin ? Boolean(me?.superadmin) : permission ? can(permission) : true;
  if (allowed) return <>{children}</>;
  return (
    <EmptyState title="Not available to your role">
      {superadmin
        ? "Only the platform superadmin manages tenants."
        : "Ask an administrator of your tenant if you need this page."}
    </EmptyState>
  );
}
