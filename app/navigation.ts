// The app's areas, with the feature and permission each needs. Shared by the layout and tests.
import type { Feature } from "./features";
import type { Permission } from "./permissions";

export interface NavItem {
  to: string;
  label: string;
  feature?: Feature;
  permission: Permission;
}

export const NAV_ITEMS: NavItem[] = [
  { to: "/dashboard", label: "Dashboard", permission: "read:dashboard" },
  { to: "/proxies", label: "Proxies", feature: "proxies", permission: "read:proxy" },
  { to: "/certificates", label: "Certificates", feature: "proxies", permission: "read:certificate" },
  { to: "/containers", label: "Containers", feature: "containers", permission: "read:container" },
  { to: "/logs", label: "Logs", feature: "logs", permission: "read:logs" },
  { to: "/monitors", label: "Monitors", feature: "monitors", permission: "read:monitor" },
  { to: "/alerts", label: "Alerts", feature: "alerts", permission: "read:alert" },
  { to: "/agents", label: "Agents", permission: "read:container" },
  { to: "/health", label: "Health", feature: "health", permission: "read:health" },
  { to: "/users", label: "Users", feature: "users", permission: "read:user" },
  { to: "/audit", label: "Audit log", feature: "audit", permission: "read:audit" },
  { to: "/organizations", label: "Organization", feature: "organizations", permission: "read:user" },
  { to: "/billing", label: "Billing", feature: "billing", permission: "manage:org" },
  { to: "/settings/plan", label: "Plan and usage", feature: "planLimits", permission: "read:dashboard" },
  { to: "/settings", label: "Settings", feature: "settings", permission: "manage:settings" },
];
