/** The compliance pages, mounted at /compliance/*. */
import { Navigate, Route, Routes } from "react-router-dom";
import { NotFound } from "../../components/NotFound";
import { AccountsPage } from "./accounts/AccountsPage";
import { ControlPage } from "./controls/ControlPage";
import { ControlsPage } from "./controls/ControlsPage";
import { ExceptionsPage } from "./exceptions/ExceptionsPage";
import { FindingPage } from "./findings/FindingPage";
import { FindingsPage } from "./findings/FindingsPage";
import { FrameworkPage } from "./frameworks/FrameworkPage";
import { FrameworksPage } from "./frameworks/FrameworksPage";
import { ScanPage } from "./scans/ScanPage";
import { ScansPage } from "./scans/ScansPage";

export function ComplianceRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="findings" replace />} />
      <Route path="findings" element={<FindingsPage />} />
      <Route path="findings/:id" element={<FindingPage />} />
      <Route path="frameworks" element={<FrameworksPage />} />
      <Route path="frameworks/:id" element={<FrameworkPage />} />
      <Route path="scans" element={<ScansPage />} />
      <Route path="scans/:id" element={<ScanPage />} />
      <Route path="accounts" element={<AccountsPage />} />
      <Route path="exceptions" element={<ExceptionsPage />} />
      <Route path="controls" element={<ControlsPage />} />
      <Route path="controls/:id" element={<ControlPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
