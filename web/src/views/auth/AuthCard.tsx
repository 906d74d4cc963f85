import type { ReactNode } from "react";

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="auth">
      <div className="card">
        <div className="brand-big" aria-hidden="true">Labs</div>
        <h1>{title}</h1>
        {children}
        {footer && <p>{footer}</p>}
      </div>
    </main>
  );
}
