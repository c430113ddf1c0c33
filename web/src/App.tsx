/** Providers and the route table. */
import CssBaseline from "@mui/material/CssBaseline";
import { ThemeProvider } from "@mui/material/styles";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { lazy } from "react";
import type { ReactNode } from "react";
import { ApiError } from "./api/client";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Loading } from "./components/States";
import { NotFound } from "./components/NotFound";
import { LoginPage } from "./features/login/LoginPage";
import { Shell } from "./layout/Shell";
import { theme } from "./theme";

// Each area is its own chunk, loaded when first visited: the login page stays small.
const Dashboard = lazy(() => import("./features/dashboard/Dashboard").then((m) => ({ default: m.Dashboard })));
const AuditExplorer = lazy(() => import("./features/audit/AuditExplorer").then((m) => ({ default: m.AuditExplorer })));
const ComplianceRoutes = lazy(() =>
  import("./features/compliance/routes").then((m) => ({ default: m.ComplianceRoutes })),
);
const AdminRoutes = lazy(() => import("./features/admin/routes").then((m) => ({ default: m.AdminRoutes })));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Client errors (403, 404, 422) will not change on retry.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

function RequireLogin({ children }: { children: ReactNode }) {
  const { me, restoring } = useAuth();
  const location = useLocation();
  if (restoring) return <Loading label="Restoring your session" />;
  if (!me) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireLogin>
            <Shell />
          </RequireLogin>
        }
      >
        <Route index element={<Dashboard />} />
        <Route path="audit" element={<AuditExplorer />} />
        <Route path="compliance/*" element={<ComplianceRoutes />} />
        <Route path="admin/*" element={<AdminRoutes />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
