/** The frame around every signed-in page: top bar, role-aware navigation, content. */
import AccountTreeIcon from "@mui/icons-material/AccountTree";
import BugReportIcon from "@mui/icons-material/BugReport";
import CloudIcon from "@mui/icons-material/Cloud";
import DashboardIcon from "@mui/icons-material/Dashboard";
import DomainIcon from "@mui/icons-material/Domain";
import FactCheckIcon from "@mui/icons-material/FactCheck";
import GroupIcon from "@mui/icons-material/Group";
import HistoryIcon from "@mui/icons-material/History";
import KeyIcon from "@mui/icons-material/Key";
import LogoutIcon from "@mui/icons-material/Logout";
import NotificationsOffIcon from "@mui/icons-material/NotificationsOff";
import ReceiptLongIcon from "@mui/icons-material/ReceiptLong";
import AppBar from "@mui/material/AppBar";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Drawer from "@mui/material/Drawer";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemIcon from "@mui/material/ListItemIcon";
import ListItemText from "@mui/material/ListItemText";
import ListSubheader from "@mui/material/ListSubheader";
import Toolbar from "@mui/material/Toolbar";
import Typography from "@mui/material/Typography";
import { Suspense } from "react";
import type { ReactNode } from "react";
import { NavLink, Outlet, useNavigate } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { Loading } from "../components/States";

const WIDTH = 232;

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  /** The permission the page needs; the item is hidden without it. */
  permission?: string;
  superadmin?: boolean;
}

const SECTIONS: { title: string; items: NavItem[] }[] = [
  {
    title: "Audit",
    items: [
      { to: "/", label: "Dashboard", icon: <DashboardIcon /> },
      { to: "/audit", label: "Audit explorer", icon: <ReceiptLongIcon />, permission: "trail.read" },
    ],
  },
  {
    title: "Compliance",
    items: [
      { to: "/compliance/findings", label: "Findings", icon: <BugReportIcon />, permission: "compliance.read" },
      { to: "/compliance/frameworks", label: "Frameworks", icon: <FactCheckIcon />, permission: "compliance.read" },
      { to: "/compliance/scans", label: "Scans", icon: <HistoryIcon />, permission: "compliance.read" },
      { to: "/compliance/accounts", label: "Cloud accounts", icon: <CloudIcon />, permission: "compliance.read" },
      { to: "/compliance/exceptions", label: "Exceptions", icon: <NotificationsOffIcon />, permission: "compliance.read" },
      { to: "/compliance/controls", label: "Controls", icon: <AccountTreeIcon />, permission: "compliance.read" },
    ],
  },
  {
    title: "Administration",
    items: [
      { to: "/admin/users", label: "Users", icon: <GroupIcon />, permission: "users.read" },
      { to: "/admin/keys", label: "API keys", icon: <KeyIcon />, permission: "keys.read" },
      { to: "/admin/tenants", label: "Tenants", icon: <DomainIcon />, superadmin: true },
    ],
  },
];

export function Shell() {
  const { me, can, logout } = useAuth();
  const navigate = useNavigate();
  const visible = (item: NavItem) =>
    item.superadmin ? Boolean(me?.superadmin) : !item.permission || can(item.permission);

  return (
    <Box sx={{ display: "flex", minHeight: "100vh" }}>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }}>
        <Toolbar variant="dense">
          <Typography variant="h6" component="div" sx={{ flexGrow: 1 }}>
            Sealtrail
          </Typography>
          <Chip
            size="small"
            label={`${me?.tenant} · ${me?.role ?? ""}`}
            sx={{ mr: 1, color: "inherit", borderColor: "rgba(255,255,255,.5)" }}
            variant="outlined"
            data-testid="whoami"
          />
          <Typography variant="body2" sx={{ mr: 2 }}>
            {me?.email}
          </Typography>
          <Button
            color="inherit"
            startIcon={<LogoutIcon />}
            onClick={async () => {
              await logout();
              navigate("/login");
            }}
          >
            Log out
          </Button>
        </Toolbar>
      </AppBar>
      <Drawer
        variant="permanent"
        sx={{ width: WIDTH, flexShrink: 0, "& .MuiDrawer-paper": { width: WIDTH, boxSizing: "border-box" } }}
      >
        <Toolbar variant="dense" />
        <Box component="nav" aria-label="Main" sx={{ overflow: "auto" }}>
          {SECTIONS.map((section) => {
            const items = section.items.filter(visible);
            if (!items.length) return null;
            return (
              <List key={section.title} dense subheader={<ListSubheader>{section.title}</ListSubheader>}>
                {items.map((item) => (
                  <ListItemButton
                    key={item.to}
                    component={NavLink}
                    to={item.to}
                    end={item.to === "/"}
                    sx={{ "&.active": { bgcolor: "action.selected", fontWeight: 600 } }}
                  >
                    <ListItemIcon sx={{ minWidth: 36 }}>{item.icon}</ListItemIcon>
                    <ListItemText primary={item.label} />
                  </ListItemButton>
                ))}
              </List>
            );
          })}
        </Box>
      </Drawer>
      <Box component="main" sx={{ flexGrow: 1, p: 3, minWidth: 0 }}>
        <Toolbar variant="dense" />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Box>
    </Box>
  );
}
