import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";

import { atLeast, useSession } from "./api/session";
import { Layout } from "./components/Layout";
import { Loading } from "./components/ui";
import { SignInFailed, ViewBoundary } from "./components/ViewBoundary";
import { LiveProvider } from "./live/LiveProvider";
import Login from "./views/auth/Login";
import { loadDashboard } from "./views/dashboard/queries";

// The first screen is the login (or the dashboard): everything else loads as its own chunk.
const Signup = lazy(() => import("./views/auth/Signup"));
const AcceptInvitation = lazy(() => import("./views/auth/AcceptInvitation"));
const Dashboard = lazy(loadDashboard);
const ProjectList = lazy(() => import("./views/projects/ProjectList"));
const ProjectDetail = lazy(() => import("./views/projects/ProjectDetail"));
const TimePage = lazy(() => import("./views/time/TimePage"));
const InvoiceList = lazy(() => import("./views/invoices/InvoiceList"));
const InvoiceDetail = lazy(() => import("./views/invoices/InvoiceDetail"));
const Capacity = lazy(() => import("./views/capacity/Capacity"));
const Alerts = lazy(() => import("./views/alerts/Alerts"));
const Integrations = lazy(() => import("./views/integrations/Integrations"));
const Organization = lazy(() => import("./views/organization/Organization"));
const Portal = lazy(() => import("./views/portal/Portal"));
const Activity = lazy(() => import("./views/activity/Activity"));
const Reports = lazy(() => import("./views/reports/Reports"));

/** Where to go after signing in: a path of this app only ("//elsewhere" and "/\\elsewhere" are
 * other origins to a browser). */
export function sameOriginPath(next: string | null): string {
  return next && /^\/(?![/\\])/.test(next) ? next : "/";
}

function Public({ children }: { children: ReactNode }) {
  const { signedIn } = useSession();
  const next = new URLSearchParams(useLocation().search).get("next");
  if (signedIn) return <Navigate to={sameOriginPath(next)} replace />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

function SignedIn() {
  const { signedIn, me, loading, failed } = useSession();
  const location = useLocation();
  if (!signedIn) {
    const path = location.pathname + location.search;
    const next = path === "/" ? "" : `?next=${encodeURIComponent(path)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  if (failed) return <SignInFailed />;
  if (loading || !me) return <Loading label="Signing in" />;
  const role = me.role;
  // A client-role user sees the client portal and nothing else.
  if (role === "client") {
    return (
      <LiveProvider>
        <Layout role={role}>
          <ViewBoundary>
          <Routes>
            <Route path="/portal/*" element={<Portal />} />
            <Route path="*" element={<Navigate to="/portal" replace />} />
          </Routes>
          </ViewBoundary>
        </Layout>
      </LiveProvider>
    );
  }
  return (
    <LiveProvider>
      <Layout role={role}>
        <ViewBoundary>
        <Routes>
          <Route path="/" element={<Dashboard />} />
          <Route path="/projects" element={<ProjectList />} />
          <Route path="/projects/:projectId/*" element={<ProjectDetail />} />
          <Route path="/time/*" element={<TimePage />} />
          {atLeast(role, "manager") && <Route path="/invoices" element={<InvoiceList />} />}
          {atLeast(role, "manager") && <Route path="/invoices/:invoiceId" element={<InvoiceDetail />} />}
          <Route path="/capacity" element={<Capacity />} />
          <Route path="/alerts" element={<Alerts />} />
          <Route path="/activity" element={<Activity />} />
          {atLeast(role, "manager") && <Route path="/reports" element={<Reports />} />}
          {atLeast(role, "admin") && <Route path="/integrations" element={<Integrations />} />}
          {atLeast(role, "manager") && <Route path="/organization/*" element={<Organization />} />}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
        </ViewBoundary>
      </Layout>
    </LiveProvider>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<Public><Login /></Public>} />
      <Route path="/signup" element={<Public><Signup /></Public>} />
      <Route path="/accept-invitation" element={<Public><AcceptInvitation /></Public>} />
      <Route path="/*" element={<SignedIn />} />
    </Routes>
  );
}
