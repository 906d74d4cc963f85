import { sameOriginPath } from "../App";
import { apiTagged, isStale, request } from "./client";
import { claimedRole, tokens } from "./tokens";

function answers(...statuses: number[]) {
  const seen: string[] = [];
  globalThis.fetch = vi.fn(async (input: RequestInfo | URL) => {
    seen.push(String(input));
    const status = statuses.shift() ?? 200;
    const body = String(input).endsWith("/auth/refresh")
      ? { access_token: "fresh", refresh_token: "r2" }
      : { title: "x" };
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  return seen;
}

beforeEach(() => tokens.set({ access_token: "old", refresh_token: "r1" }));
afterEach(() => tokens.clear());

test("a refused token is refreshed once and the request sent again", async () => {
  const seen = answers(401, 200, 200);
  await request("/projects");
  expect(seen).toEqual(["/api/v1/projects", "/api/v1/auth/refresh", "/api/v1/projects"]);
  expect(tokens.get()).toEqual({ access_token: "fresh", refresh_token: "r2" });
});

test("a refresh the gateway refuses ends the session", async () => {
  answers(401, 401);
  await expect(request("/projects")).rejects.toMatchObject({ status: 401 });
  expect(tokens.get()).toBeNull();
});

test("a refresh that meets an outage keeps the session for later", async () => {
  answers(401, 503);
  await expect(request("/projects")).rejects.toMatchObject({ status: 401 });
  expect(tokens.get()?.refresh_token).toBe("r1");
});

test("a token another tab already replaced is not refreshed again", async () => {
  const seen: string[] = [];
  globalThis.fetch = vi.fn(async (input: RequestInfo | URL) => {
    seen.push(String(input));
    if (seen.length === 1) {
      tokens.set({ access_token: "from-the-other-tab", refresh_token: "r9" });
      return new Response("{}", { status: 401 });
    }
    return new Response("{}", { status: 200 });
  }) as typeof fetch;
  await request("/projects");
  expect(seen).toEqual(["/api/v1/projects", "/api/v1/projects"]); // presenting r1 would revoke r9's family
});

test("after signing in, only a path of this app is followed", () => {
  expect(sameOriginPath("/invoices?status=overdue")).toBe("/invoices?status=overdue");
  expect(sameOriginPath("//evil.example/x")).toBe("/");
  expect(sameOriginPath("/\\evil.example")).toBe("/");
  expect(sameOriginPath("https://evil.example")).toBe("/");
  expect(sameOriginPath(null)).toBe("/");
});

test("the role is read from an access token's claims, and nothing from garbage", () => {
  const payload = btoa(JSON.stringify({ role: "client", org: "o" })).replace(/=+$/, "");
  expect(claimedRole(`h.${payload}.s`)).toBe("client");
  expect(claimedRole("not-a-jwt")).toBeNull();
  expect(claimedRole(undefined)).toBeNull();
});

test("an object keeps the ETag its answer carried, an edit sends it as If-Match, and a 412 is stale", async () => {
  const sent: Headers[] = [];
  globalThis.fetch = vi.fn(async (_input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push(new Headers(init.headers));
    return sent.length === 1
      ? new Response(JSON.stringify({ id: "p-1" }), { status: 200, headers: { ETag: '"17a"' } })
      : new Response(JSON.stringify({ title: "Precondition Failed", status: 412 }), { status: 412 });
  }) as typeof fetch;

  const read = await apiTagged<{ id: string }>("/projects/p-1");
  expect(read).toEqual({ id: "p-1", etag: '"17a"' });
  expect(sent[0].has("If-Match")).toBe(false);

  const refused = await apiTagged("/projects/p-1", { method: "PATCH", body: {}, ifMatch: read.etag }).catch((e: unknown) => e);
  expect(sent[1].get("If-Match")).toBe('"17a"');
  expect(isStale(refused)).toBe(true);
  expect(isStale(new Error("x"))).toBe(false);
});
