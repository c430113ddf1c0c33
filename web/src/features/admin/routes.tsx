/** Administration: users, API keys, tenants; each page needs its permission. */
import { Navigate, Route, Routes } from "react-router-dom";
import { NotFound } from "../../components/NotFound";
import { KeysPage } from "./keys/KeysPage";
import { RequirePermission } from "./RequirePermission";
import { TenantsPage } from "./tenants/TenantsPage";
import { UsersPage } from "./users/UsersPage";

export function AdminRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="users" replace />} />
      <Route
        path="users"
        element={
          <RequirePermission permission="users.read">
            <UsersPage />
          </RequirePermission>
        }
      />
      <Route
        path="keys"
        element={
          <RequirePermission permission="keys.read">
            <KeysPage />
          </RequirePermission>
        }
      />
      <Route
        path="tenants"
        element={
          <RequirePermission superadmin>
            <TenantsPage />
          </RequirePermission>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
