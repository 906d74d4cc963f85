import { Navigate, NavLink, Route, Routes } from "react-router-dom";

import { atLeast, useSession } from "../../api/session";
import type { Role } from "../../api/types";
import { Page } from "../../components/ui";
import { Clients } from "./Clients";
import { Members } from "./Members";
import "./organization.css";
import { Settings } from "./Settings";

// Every section the reader's role may open; the gateway still decides each request.
const SECTIONS: { path: string; label: string; least: Role }[] = [
  { path: "/organization", label: "Members", least: "manager" },
  { path: "/organization/clients", label: "Clients", least: "manager" },
  { path: "/organization/settings", label: "Settings", least: "admin" },
];

/** Members, clients and the organization's settings (manager and up; managing members and the
 * settings, admin and up). */
export default function Organization() {
  const role = useSession().me?.role;
  const admin = atLeast(role, "admin");
  return (
    <Page title="Organization">
      <nav aria-label="Organization sections" className="tabs">
        {SECTIONS.filter((s) => atLeast(role, s.least)).map((s) => (
          <NavLink key={s.path} to={s.path} end className="tab">{s.label}</NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Members canManage={admin} />} />
        <Route path="clients" element={<Clients />} />
        {admin && <Route path="settings" element={<Settings />} />}
        <Route path="*" element={<Navigate to="/organization" replace />} />
      </Routes>
    </Page>
  );
}
