// The live connection: one WebSocket per tab, authenticated by its first message (so the token
// never sits in a URL or an access log), reconnecting with capped, jittered backoff. After any
// gap it reports a resync, because events sent while it was away are not replayed: the views
// fetch again what they show.

import type { LiveEvent } from "../api/types";

export type LiveState = "connecting" | "open" | "closed";

export interface LiveOptions {
  url: string;
  token: () => string | null;
  /** The token was refused (4401): get a fresh one; the socket reconnects when it changes. */
  onRefused?: (token: string) => void;
  onEvent: (e: LiveEvent) => void;
  onResync: () => void;
  onState?: (s: LiveState) => void;
  /** For tests: the WebSocket constructor and the clock. */
  WebSocketImpl?: typeof WebSocket;
  setTimeoutImpl?: (fn: () => void, ms: number) => unknown;
  random?: () => number;
}

export const MIN_DELAY_MS = 500;
export const MAX_DELAY_MS = 30_000;
const PING_MS = 25_000;

/** The wait before reconnect attempt `n` (0-based): doubling from 0.5 s, capped at 30 s, with
 * "full jitter" so a gateway restart is not met by every tab at the same instant. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function socketUrl(location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/v1/ws`;
}

export class LiveSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private paused = false;
  private everOpened = false;
  private ping: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: LiveOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.ping) clearInterval(this.ping);
    this.ws?.close(1000);
    this.ws = null;
    this.o.onState?.("closed");
  }

  /** The device went offline: a socket then delivers nothing (and a phone's may never report
   * its death), so close it and wait for restart() rather than retrying into no network. */
  pause(): void {
    this.paused = true;
    if (this.ping) clearInterval(this.ping);
    const old = this.ws;
    this.ws = null;
    old?.close(1000);
    this.o.onState?.("closed");
  }

  /** Reconnect at once, e.g. with a new token or when the tab comes back online. */
  restart(): void {
    this.paused = false;
    this.attempt = 0;
    if (this.ping) clearInterval(this.ping);
    const old = this.ws;
    this.ws = null;
    old?.close(1000);
    if (!this.stopped) this.connect();
  }

  send(message: object): void {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(message));
  }

  private connect(): void {
    const token = this.o.token();
    if (!token || this.stopped || this.paused) return;
    const Impl = this.o.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.o.url);
    this.ws = ws;
    this.o.onState?.("connecting");
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "auth", token }));
      this.o.onState?.("open");
      if (this.everOpened) this.o.onResync();
      this.everOpened = true;
      if (this.ping) clearInterval(this.ping);
      this.send({ type: "ping" }); // its pong confirms the token was accepted
      this.ping = setInterval(() => this.send({ type: "ping" }), PING_MS);
    };
    ws.onmessage = (m) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(String(m.data)) as LiveEvent;
      } catch {
        return;
      }
      // Only now is the socket known to be accepted: a gateway that takes the connection and
      // then closes it (overloaded, restarting) keeps the backoff growing.
      this.attempt = 0;
      if (event.type !== "pong") this.o.onEvent(event);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return; // replaced by restart()
      this.ws = null;
      if (this.ping) clearInterval(this.ping);
      this.o.onState?.("closed");
      // 4401: the token was refused; a fresh one (after a refresh) reconnects via restart().
      if (e.code === 4401) this.o.onRefused?.(token);
      if (this.stopped || e.code === 4401) return;
      const delay = backoff(this.attempt++, this.o.random);
      (this.o.setTimeoutImpl ?? setTimeout)(() => {
        if (!this.stopped && this.ws === null) this.connect();
      }, delay);
    };
  }
}
