// What a person sees when a view cannot load: a chunk gone after a deploy (the gateway answers
// 404 for an old build's file), a render that threw; and when the session cannot be read.

import { Component, Suspense, type ErrorInfo, type ReactNode } from "react";
import { useLocation } from "react-router-dom";

import { useSession } from "../api/session";
import { Card, ErrorNote, Loading } from "./ui";

interface State {
  error: unknown;
}

class Boundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error };
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn("view failed", error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    const outdated = String(this.state.error).includes("dynamically imported module");
    return (
      <Card title={outdated ? "Labs was updated" : "This view could not be shown"}>
        <p>{outdated ? "A newer version is available: reload to use it." : "Reloading usually helps."}</p>
        {!outdated && <ErrorNote error={this.state.error} />}
        <button type="button" className="primary" onClick={() => window.location.reload()}>Reload</button>
      </Card>
    );
  }
}

/** Each signed-in view loads lazily inside this: a spinner while its chunk arrives, a way out
 * if it fails. Keyed by path, so moving to another view clears a failure. */
export function ViewBoundary({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <Boundary key={pathname}>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </Boundary>
  );
}

/** GET /auth/me failed for another reason than the session being over (that logs out). */
export function SignInFailed() {
  const { retry, logout, error } = useSession();
  return (
    <main className="auth">
      <Card title="Labs cannot reach your account right now">
        <ErrorNote error={error} />
        <div className="row">
          <button type="button" className="primary" onClick={retry}>Try again</button>
          <button type="button" onClick={() => void logout()}>Log out</button>
        </div>
      </Card>
    </main>
  );
}
