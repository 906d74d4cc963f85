import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { NavLink, useLocation } from "react-router-dom";

import { api } from "../api/client";
import { atLeast, useSession } from "../api/session";
import type { Role } from "../api/types";
import { useLiveState } from "../live/LiveProvider";
import { SearchBox } from "../views/search/SearchBox";
import TimerWidget from "../views/time/TimerWidget";

interface NavItem {
  to: string;
  label: string;
  /** What the phone's bottom bar says, where up to eight labels share 390 px. */
  short?: string;
  icon: string;
  least?: Role;
  /** On a phone whose bar is full, behind "More" rather than in the bar. */
  more?: boolean;
}

const STAFF_NAV: NavItem[] = [
  { to: "/", label: "Dashboard", short: "Home", icon: "◔" },
  { to: "/projects", label: "Projects", icon: "▦" },
  { to: "/time", label: "Time", icon: "◷" },
  { to: "/invoices", label: "Invoices", icon: "▤", least: "manager" },
  { to: "/capacity", label: "Capacity", short: "Team", icon: "▥" },
  { to: "/alerts", label: "Alerts", icon: "◉" },
  { to: "/activity", label: "Activity", icon: "≡", more: true },
  { to: "/reports", label: "Reports", icon: "▧", least: "manager", more: true },
  { to: "/organization", label: "Organization", short: "Org", icon: "⌂", least: "manager", more: true },
  { to: "/integrations", label: "Integrations", short: "Apps", icon: "⇄", least: "admin", more: true },
];

/** Links a phone's bottom bar holds at 390 px with every target at least 44 px wide (with More). */
const PHONE_BAR = 6;

const CLIENT_NAV: NavItem[] = [{ to: "/portal", label: "Your projects", icon: "▦" }];

function UnreadBadge() {
  const unread = useQuery({
    queryKey: ["alerts", "unread-count"],
    queryFn: () => api<{ unread_count: number }>("/alerts", { query: { unread: true, limit: 1 } }),
    select: (d) => d.unread_count,
  });
  if (!unread.data) return null;
  return (
    <span className="count" aria-label={`${unread.data} unread`}>
      {unread.data > 99 ? "99+" : unread.data}
    </span>
  );
}

function LiveDot() {
  const state = useLiveState();
  const label = state === "open" ? "Live" : state === "connecting" ? "Connecting" : "Offline";
  return (
    <span className={`live live-${state}`} role="status" aria-label={`Live updates: ${label}`} title={label}>
      <span aria-hidden="true" className="live-dot" />
      <span className="live-label">{label}</span>
    </span>
  );
}

/** Opens and closes with a click, Escape, a tap elsewhere or moving to another view. */
function useDisclosure(ref: RefObject<HTMLElement | null>) {
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !ref.current?.contains(e.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener("keydown", close);
    document.addEventListener("pointerdown", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("pointerdown", close);
    };
  }, [open, ref]);
  return [open, setOpen] as const;
}

/** The phone's "More": the links its bar has no room for. Hidden from 900 px, where the sidebar
 * shows every link. */
function MoreLinks({ items }: { items: NavItem[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useDisclosure(box);
  const { pathname } = useLocation();
  const here = items.some((i) => pathname === i.to || pathname.startsWith(`${i.to}/`));
  return (
    <div ref={box} className="nav-more">
      <button
        type="button"
        className={here ? "nav-item active" : "nav-item"}
        aria-expanded={open}
        aria-controls="more-links"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="nav-icon" aria-hidden="true">⋯</span>
        <span className="nav-short">More</span>
      </button>
      {open && (
        <div id="more-links" className="nav-more-panel">
          {items.map((i) => (
            <NavLink key={i.to} to={i.to} className="nav-more-link">
              <span className="nav-icon" aria-hidden="true">{i.icon}</span>
              {i.label}
            </NavLink>
          ))}
        </div>
      )}
    </div>
  );
}

export function Layout({ role, children }: { role: Role; children: ReactNode }) {
  const { me, logout } = useSession();
  const menu = useRef<HTMLDivElement>(null);
  const [menuOpen, setMenuOpen] = useDisclosure(menu);
  const items = (role === "client" ? CLIENT_NAV : STAFF_NAV).filter(
    (i) => !i.least || atLeast(role, i.least),
  );
  const overflow = items.length > PHONE_BAR ? items.filter((i) => i.more) : [];
  const name = me?.user.first_name || me?.user.email;
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand" aria-label="Labs">Labs</span>
        <span className="org" title={me?.organization.name}>{me?.organization.name}</span>
        <span className="topbar-gap" />
        {role !== "client" && <SearchBox />}
        {role !== "client" && role !== "viewer" && <TimerWidget />}
        <LiveDot />
        <div ref={menu} className="account">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="account-menu"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span className="avatar" aria-hidden="true">{(name ?? "?").slice(0, 1).toUpperCase()}</span>
          <span className="sr-only">Account</span>
        </button>
        {menuOpen && (
          <div id="account-menu" className="account-menu">
            <div className="account-who">
              <strong>{name}</strong>
              <span>{me?.user.email} · {role}</span>
            </div>
            <button type="button" onClick={() => void logout()}>Log out</button>
          </div>
        )}
        </div>
      </header>
      <nav className="nav" aria-label="Main">
        {items.map((i) => (
          <NavLink key={i.to} to={i.to} end={i.to === "/"} className={overflow.includes(i) ? "nav-item nav-overflow" : "nav-item"}>
            <span className="nav-icon" aria-hidden="true">{i.icon}</span>
            <span className="nav-label">{i.label}</span>
            <span className="nav-short" aria-hidden="true">{i.short ?? i.label}</span>
            {i.to === "/alerts" && <UnreadBadge />}
          </NavLink>
        ))}
        {overflow.length > 0 && <MoreLinks items={overflow} />}
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
