import { backoff, LiveSocket, MAX_DELAY_MS } from "./socket";
import { staleKeys } from "./events";

class FakeSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.onclose?.({ code: 1000 });
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function live(overrides: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) {
  FakeSocket.made = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: unknown[] = [];
  let resyncs = 0;
  const socket = new LiveSocket({
    url: "ws://labs.test/api/v1/ws",
    token: () => "tok",
    onEvent: (e) => events.push(e),
    onResync: () => resyncs++,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    setTimeoutImpl: (fn, ms) => timers.push({ fn, ms }),
    random: () => 0.5,
    ...overrides,
  });
  return { socket, timers, events, resyncs: () => resyncs };
}

test("backoff doubles from half a second, is capped, and jitters within the upper half", () => {
  expect(backoff(0, () => 0)).toBe(250);
  expect(backoff(0, () => 1)).toBe(500);
  expect(backoff(3, () => 1)).toBe(4000);
  expect(backoff(20, () => 1)).toBe(MAX_DELAY_MS);
  expect(backoff(20, () => 0)).toBe(MAX_DELAY_MS / 2);
});

test("the token goes in the first message, never in the URL", () => {
  const { socket } = live();
  socket.start();
  const ws = FakeSocket.made[0];
  expect(ws.url).not.toContain("tok");
  ws.open();
  expect(JSON.parse(ws.sent[0])).toEqual({ type: "auth", token: "tok" });
});

test("a dropped socket reconnects with backoff and asks the views to catch up", () => {
  const { socket, timers, resyncs } = live();
  socket.start();
  FakeSocket.made[0].open();
  expect(resyncs()).toBe(0);
  FakeSocket.made[0].drop();
  expect(timers.map((t) => t.ms)).toEqual([375]);
  timers[0].fn();
  FakeSocket.made[1].drop(); // the gateway is still down
  expect(timers.map((t) => t.ms)).toEqual([375, 750]);
  timers[1].fn();
  FakeSocket.made[2].open();
  expect(resyncs()).toBe(1); // events of the gap are not replayed: fetch again
});

test("a refused token does not reconnect in a loop", () => {
  const { socket, timers } = live();
  socket.start();
  FakeSocket.made[0].open();
  FakeSocket.made[0].drop(4401);
  expect(timers).toEqual([]);
});

test("events reach the listener; pongs do not", () => {
  const { socket, events } = live();
  socket.start();
  const ws = FakeSocket.made[0];
  ws.open();
  ws.onmessage?.({ data: JSON.stringify({ type: "pong" }) });
  ws.onmessage?.({ data: JSON.stringify({ type: "task:updated", data: { id: "t1" } }) });
  ws.onmessage?.({ data: "not json" });
  expect(events).toEqual([{ type: "task:updated", data: { id: "t1" } }]);
});

test("each event names the views it makes stale", () => {
  expect(staleKeys({ type: "time:entry:created" })).toContain("timer");
  expect(staleKeys({ type: "project:margin-updated" })).toEqual(expect.arrayContaining(["dashboard", "project"]));
  expect(staleKeys({ type: "project:created" })).toContain("projects");
  expect(staleKeys({ type: "invoice:paid" })).toContain("invoices");
  expect(staleKeys({ type: "alert:new" })).toEqual(["alerts", "activity"]);
  expect(staleKeys({ type: "typing" })).toEqual([]);
});

test("every change makes the activity feed stale, an event of no known family too; presence does not", () => {
  expect(staleKeys({ type: "time:entry:created" })).toContain("activity");
  expect(staleKeys({ type: "github:push" })).toEqual(["activity"]);
  expect(staleKeys({ type: "user:joined" })).toEqual(["presence"]);
  expect(staleKeys({ type: "typing" })).not.toContain("activity");
});

test("offline, the socket closes and waits; back online it reconnects and catches up", () => {
  const { socket, timers, resyncs } = live();
  socket.start();
  FakeSocket.made[0].open();
  socket.pause();
  expect(timers).toEqual([]); // no retrying into no network
  expect(FakeSocket.made).toHaveLength(1);
  socket.restart();
  FakeSocket.made[1].open();
  expect(resyncs()).toBe(1);
});
