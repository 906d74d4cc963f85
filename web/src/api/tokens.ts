// The session's tokens, kept in localStorage so a reload (and a second tab) stays signed in;
// listeners hear of every change, from this tab or another.

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

const KEY = "labs.session";
type Listener = (t: Tokens | null) => void;
const listeners = new Set<Listener>();

function read(): Tokens | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

let current: Tokens | null = read();

function emit() {
  for (const l of listeners) l(current);
}

if (typeof window !== "undefined") {
  window.addEventListener("storage", (e) => {
    if (e.key === KEY) {
      current = read();
      emit();
    }
  });
}

export const tokens = {
  get: (): Tokens | null => current,
  set(t: Tokens) {
    current = t;
    localStorage.setItem(KEY, JSON.stringify(t));
    emit();
  },
  clear() {
    current = null;
    localStorage.removeItem(KEY);
    emit();
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** The role an access token was issued for, read (not verified: the gateway does that) from its
 * claims, for decisions before GET /auth/me answers; null when it cannot be read. */
export function claimedRole(accessToken: string | undefined): string | null {
  try {
    const payload = accessToken?.split(".")[1];
    if (!payload) return null;
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const role = (JSON.parse(json) as { role?: unknown }).role;
    return typeof role === "string" ? role : null;
  } catch {
    return null;
  }
}
