import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Client, Member, Role } from "../../api/types";
import { fakeGateway, invalid, me, problem, renderView, reply, type RouteTable } from "../../test-utils";
import type { Invitation, OrganizationRecord } from "./model";
import Organization from "./Organization";

const ACME = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const BO = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const CY = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const OLA = "dddddddd-dddd-4ddd-8ddd-dddddddddddd";

const member = (id: string, first: string, email: string, role: Role, client_id?: string): Member => ({
  user: { id, email, first_name: first, last_name: "" },
  role,
  ...(client_id ? { client_id } : {}),
});

const members = [
  member("u-1", "Ana", "ana@studio.test", "admin"),
  member(BO, "Bo", "bo@studio.test", "member"),
  member(CY, "Cy", "cy@acme.test", "client", ACME),
  member(OLA, "Ola", "ola@studio.test", "owner"),
];
const acme: Client = { id: ACME, name: "Acme", email: "billing@acme.test", currency: "USD" };
const globex: Client = { id: "g-1", name: "Globex", email: null, currency: "EUR" };
const pending: Invitation = {
  id: "i-1", email: "dee@studio.test", role: "viewer", client_id: null, invited_by: "u-1",
  expires_at: "2026-12-08T10:00:00Z", created_at: "2026-12-01T10:00:00Z",
};

/** The gateway with the lists as they stand: a role saved or a member or client removed is what
 * the next GET answers, as the real one would. `extra` routes come first (an exact path before
 * a pattern), e.g. a refusal for one member. */
function gateway(role: Role, extra: RouteTable = {}) {
  let people = [...members];
  let clients = [acme, globex];
  return fakeGateway({
    "GET /auth/me": me(role),
    "GET /organizations/current/members": () => ({ members: people, next_cursor: null }),
    "GET /organizations/current/invitations": { invitations: [pending], next_cursor: null },
    "GET /clients": () => ({ clients, next_cursor: null }),
    "PATCH /organizations/current/members/:id": ({ params, body }) => {
      people = people.map((m) => (m.user.id === params.id ? { ...m, ...(body as object) } : m));
      return people.find((m) => m.user.id === params.id);
    },
    "DELETE /organizations/current/members/:id": ({ params }) => {
      people = people.filter((m) => m.user.id !== params.id);
      return undefined;
    },
    "DELETE /clients/:id": ({ params }) => {
      clients = clients.filter((c) => c.id !== params.id);
      return undefined;
    },
    ...extra,
  });
}

const renderPage = (url = "/organization") => renderView(<Organization />, { url, route: "/organization/*" });
const rowOf = async (name: string) => (await screen.findByRole("cell", { name: new RegExp(`^${name}`) })).closest("tr")!;

describe("Organization: members", () => {
  it("lists the members with their roles, a client's client, and the pending invitations", async () => {
    const gw = gateway("admin");
    renderPage();

    const cy = await rowOf("Cy");
    expect(within(cy).getByText("cy@acme.test")).toBeInTheDocument();
    expect(within(cy).getByRole("combobox", { name: "Role of Cy" })).toHaveValue("client");
    expect(await within(cy).findByRole("combobox", { name: "Client of Cy" })).toHaveValue(ACME);
    expect(within(await rowOf("Ana")).getByText("You")).toBeInTheDocument();
    expect(within(await rowOf("Ola")).getByRole("combobox", { name: "Role of Ola" })).toHaveValue("owner");

    const invitations = screen.getByRole("region", { name: "Pending invitations" });
    const dee = (await within(invitations).findByRole("cell", { name: "dee@studio.test" })).closest("tr")!;
    expect(within(dee).getByText("Viewer")).toBeInTheDocument();
    expect(within(dee).getByRole("button", { name: "Revoke the invitation of dee@studio.test" })).toBeInTheDocument();
    expect(gw.to("GET /organizations/current/members")[0].query.get("limit")).toBe("500");
  });

  it("invites someone and shows the acceptance link to copy", async () => {
    const user = userEvent.setup();
    const gw = gateway("admin", {
      "POST /organizations/current/invitations": ({ body }) => ({
        invitation: { ...pending, id: "i-2", ...(body as object) },
        token: "lbi_secret+1",
      }),
    });
    renderPage();

    await user.click(await screen.findByRole("button", { name: "Invite someone" }));
    const form = screen.getByRole("form", { name: "Invite someone" });
    await user.type(within(form).getByLabelText("Email"), "  eve@acme.test ");
    await user.selectOptions(within(form).getByLabelText("Role"), "Client");
    await within(form).findByRole("option", { name: "Acme" });
    await user.selectOptions(within(form).getByLabelText(/^Client/), "Acme");
    await user.click(within(form).getByRole("button", { name: "Send invitation" }));

    const link = await screen.findByLabelText("Acceptance link");
    expect(link).toHaveValue(`${window.location.origin}/accept-invitation?token=lbi_secret%2B1`);
    expect(link).toHaveAttribute("readonly");
    const [post] = gw.to("POST /organizations/current/invitations");
    expect(post.body).toEqual({ email: "eve@acme.test", role: "client", client_id: ACME });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Invite someone" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Copy link" }));
    expect(await screen.findByText("Link copied.")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/accept-invitation?token=lbi_secret%2B1`);
    // The list of pending invitations is asked again.
    await waitFor(() => expect(gw.to("GET /organizations/current/invitations").length).toBeGreaterThan(1));
  });

  it("shows a 422 on the invitation next to the email", async () => {
    const user = userEvent.setup();
    gateway("admin", { "POST /organizations/current/invitations": invalid("email", "is already a member") });
    renderPage();

    await user.click(await screen.findByRole("button", { name: "Invite someone" }));
    const form = screen.getByRole("form", { name: "Invite someone" });
    await user.type(within(form).getByLabelText("Email"), "bo@studio.test");
    await user.click(within(form).getByRole("button", { name: "Send invitation" }));

    const email = within(form).getByLabelText("Email");
    await waitFor(() => expect(email).toHaveAttribute("aria-invalid", "true"));
    expect(email).toHaveAccessibleDescription("is already a member");
    // Said once, beside its field: no second note at the foot of the form.
    expect(within(form).getAllByRole("alert")).toHaveLength(1);
    expect(screen.queryByLabelText("Acceptance link")).not.toBeInTheDocument();
  });

  it("changes a role with a PATCH of the role alone, and shows what the gateway refuses", async () => {
    const user = userEvent.setup();
    const gw = gateway("admin", {
      [`PATCH /organizations/current/members/${OLA}`]: problem(403, "Only an owner can change an owner."),
    });
    renderPage();

    const bo = await rowOf("Bo");
    await user.selectOptions(within(bo).getByRole("combobox", { name: "Role of Bo" }), "Manager");
    expect(gw.to(`PATCH /organizations/current/members/${BO}`)).toHaveLength(0); // not until Save
    await user.click(within(bo).getByRole("button", { name: "Save the role of Bo" }));
    expect(await within(bo).findByText("Saved")).toBeInTheDocument();
    expect(gw.to(`PATCH /organizations/current/members/${BO}`)[0].body).toEqual({ role: "manager" });
    expect(within(bo).getByRole("combobox", { name: "Role of Bo" })).toHaveValue("manager");

    const ola = await rowOf("Ola");
    await user.selectOptions(within(ola).getByRole("combobox", { name: "Role of Ola" }), "Member");
    await user.click(within(ola).getByRole("button", { name: "Save the role of Ola" }));
    expect(await within(ola).findByRole("alert")).toHaveTextContent("Only an owner can change an owner.");
    expect(gw.to(`PATCH /organizations/current/members/${OLA}`)[0].body).toEqual({ role: "member" });
  });

  it("removes a member only once it is confirmed", async () => {
    const user = userEvent.setup();
    const gw = gateway("admin");
    renderPage();

    await user.click(within(await rowOf("Bo")).getByRole("button", { name: "Remove Bo" }));
    expect(gw.to(`DELETE /organizations/current/members/${BO}`)).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, remove Bo" }));
    await waitFor(() => expect(screen.queryByRole("cell", { name: /^Bo/ })).not.toBeInTheDocument());
    expect(gw.to(`DELETE /organizations/current/members/${BO}`)).toHaveLength(1);
  });
});

describe("Organization: what a manager sees", () => {
  it("shows the members to read and the clients to manage, but no settings and no member management", async () => {
    const user = userEvent.setup();
    const gw = gateway("manager");
    renderPage();

    const sections = await screen.findByRole("navigation", { name: "Organization sections" });
    expect(within(sections).getAllByRole("link").map((l) => l.textContent)).toEqual(["Members", "Clients"]);
    const bo = await rowOf("Bo");
    expect(within(bo).getByText("Member")).toBeInTheDocument();
    expect(within(await rowOf("Cy")).getByText("Client · Acme")).toBeInTheDocument();
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Invite someone" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Pending invitations" })).not.toBeInTheDocument();
    expect(gw.to("GET /organizations/current/invitations")).toHaveLength(0);

    await user.click(within(sections).getByRole("link", { name: "Clients" }));
    expect(await screen.findByRole("cell", { name: "Acme" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add client" })).toBeInTheDocument();
    expect(gw.to("GET /organizations/current")).toHaveLength(0);
  });

  it("sends a manager who opens the settings back to the members", async () => {
    const gw = gateway("manager");
    renderPage("/organization/settings");
    expect(await screen.findByRole("cell", { name: /^Bo/ })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Organization settings" })).not.toBeInTheDocument();
    expect(gw.to("GET /organizations/current")).toHaveLength(0);
  });
});

describe("Organization: clients", () => {
  it("archives a client only once it is confirmed", async () => {
    const user = userEvent.setup();
    const gw = gateway("manager");
    renderPage("/organization/clients");

    const row = (await screen.findByRole("cell", { name: "Acme" })).closest("tr")!;
    await user.click(within(row).getByRole("button", { name: "Archive Acme" }));
    expect(screen.getByText(/Archive Acme\? Its projects and invoices stay/)).toBeInTheDocument();
    expect(gw.to(`DELETE /clients/${ACME}`)).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, archive Acme" }));
    await waitFor(() => expect(screen.queryByRole("cell", { name: "Acme" })).not.toBeInTheDocument());
    expect(gw.to(`DELETE /clients/${ACME}`)).toHaveLength(1);
    expect(screen.getByRole("cell", { name: "Globex" })).toBeInTheDocument();
  });

  it("adds a client in the organization's currency, and shows a 422 beside its field", async () => {
    const user = userEvent.setup();
    let taken = true;
    const gw = gateway("manager", {
      "POST /clients": ({ body }) =>
        taken ? ((taken = false), invalid("name", "is already used by another client")) : { id: "n-1", ...(body as object) },
    });
    renderPage("/organization/clients");

    await user.click(await screen.findByRole("button", { name: "Add client" }));
    const form = screen.getByRole("form", { name: "Add client" });
    await user.type(within(form).getByLabelText("Name"), "Acme");
    expect(within(form).getByLabelText("Currency")).toHaveValue("USD");
    await user.click(within(form).getByRole("button", { name: "Add client" }));
    expect(await within(form).findByText("is already used by another client")).toBeInTheDocument();
    expect(within(form).getByLabelText("Name")).toHaveAccessibleDescription("is already used by another client");

    await user.clear(within(form).getByLabelText("Name"));
    await user.type(within(form).getByLabelText("Name"), "Initech");
    await user.click(within(form).getByRole("button", { name: "Add client" }));
    expect(await screen.findByText("Initech added.")).toBeInTheDocument();
    expect(gw.to("POST /clients").map((c) => c.body)).toEqual([
      { name: "Acme", currency: "USD" },
      { name: "Initech", currency: "USD" },
    ]);
  });

  it("edits a client with only what changed; an emptied email clears it", async () => {
    const user = userEvent.setup();
    const gw = gateway("manager", { "PATCH /clients/:id": ({ body }) => ({ ...acme, ...(body as object) }) });
    renderPage("/organization/clients");

    await user.click(await screen.findByRole("button", { name: "Edit Acme" }));
    const form = screen.getByRole("form", { name: "Edit Acme" });
    await user.clear(within(form).getByLabelText("Email"));
    await user.clear(within(form).getByLabelText("Currency"));
    await user.type(within(form).getByLabelText("Currency"), "eur");
    await user.click(within(form).getByRole("button", { name: "Save client" }));

    expect(await screen.findByText("Acme saved.")).toBeInTheDocument();
    expect(gw.to(`PATCH /clients/${ACME}`)[0].body).toEqual({ email: null, currency: "EUR" });
  });
});

describe("Organization: settings", () => {
  const org: OrganizationRecord = {
    id: "o-1", name: "Studio", timezone: "Europe/Paris", currency: "EUR", updated_at: "2026-12-01T10:00:00Z",
    settings: {
      time_rounding: { unit_minutes: 15, mode: "up", projects: { "p-1": { unit_minutes: 6, mode: "nearest" } } },
      financials_visible_to: "manager",
      exchange_rates: { USD: "1.08" },
    },
  };

  it("saves only what changed, keeps the per-project rounding, and shows what the server answered", async () => {
    const user = userEvent.setup();
    const gw = gateway("owner", {
      "GET /organizations/current": org,
      "PATCH /organizations/current": ({ body }) => {
        const b = body as Partial<OrganizationRecord>;
        return { ...org, ...b, settings: { ...org.settings, ...b.settings }, updated_at: "2026-12-02T10:00:00Z" };
      },
    });
    renderPage("/organization/settings");

    const form = await screen.findByRole("form", { name: "Organization settings" });
    expect(within(form).getByLabelText("Time zone")).toHaveValue("Europe/Paris");
    expect(within(form).getByRole("option", { name: "America/New York" })).toBeInTheDocument();
    expect(within(form).getByLabelText("Round to (minutes)")).toHaveValue(15);
    expect(within(form).getByLabelText("Direction")).toHaveValue("up");

    await user.clear(within(form).getByLabelText("Name"));
    await user.type(within(form).getByLabelText("Name"), "Studio North");
    const unit = within(form).getByLabelText("Round to (minutes)");
    await user.clear(unit);
    await user.type(unit, "7.5");
    await user.click(within(form).getByRole("button", { name: "Save settings" }));
    expect(unit).toHaveAccessibleDescription(/Whole minutes from 0 to 1440/);
    expect(gw.to("PATCH /organizations/current")).toHaveLength(0);

    await user.clear(unit);
    await user.type(unit, "30");
    await user.selectOptions(within(form).getByLabelText("Direction"), "nearest");
    await user.selectOptions(within(form).getByLabelText("Who sees margins and forecasts"), "member");
    await user.click(within(form).getByRole("button", { name: "Save settings" }));

    const saved = await screen.findByText(/^Saved\./);
    expect(saved.closest("[role=status]")).toHaveTextContent(
      "Saved. Studio North · Europe/Paris · EUR. Billed time is rounded to the nearest 30 minutes. Margins and forecasts: members and up.",
    );
    expect(gw.to("PATCH /organizations/current")[0].body).toEqual({
      name: "Studio North",
      settings: {
        time_rounding: { unit_minutes: 30, mode: "nearest", projects: { "p-1": { unit_minutes: 6, mode: "nearest" } } },
        financials_visible_to: "member",
      },
    });
    expect(screen.getByLabelText("Name")).toHaveValue("Studio North");
  });

  it("shows a 422 beside the field it names", async () => {
    const user = userEvent.setup();
    gateway("admin", {
      "GET /organizations/current": org,
      "PATCH /organizations/current": invalid("currency", "is not an ISO 4217 code"),
    });
    renderPage("/organization/settings");

    const form = await screen.findByRole("form", { name: "Organization settings" });
    await user.clear(within(form).getByLabelText("Currency"));
    await user.type(within(form).getByLabelText("Currency"), "XYZ");
    await user.click(within(form).getByRole("button", { name: "Save settings" }));
    expect(await within(form).findByText("is not an ISO 4217 code")).toBeInTheDocument();
    expect(within(form).getByLabelText("Currency")).toHaveAttribute("aria-invalid", "true");
  });

  it("saves with the ETag it read, and on a 412 says another admin changed the settings and reloads them", async () => {
    const user = userEvent.setup();
    let stored = org;
    let version = 1;
    const gw = gateway("admin", {
      "GET /organizations/current": () => reply(200, stored, { ETag: `"o${version}"` }),
      "PATCH /organizations/current": ({ headers }) => problem(412, `If-Match ${headers.get("If-Match")} is stale`),
    });
    renderPage("/organization/settings");

    const form = await screen.findByRole("form", { name: "Organization settings" });
    // Another admin renames the organization meanwhile.
    stored = { ...org, name: "Studio Paris", updated_at: "2026-12-03T10:00:00Z" };
    version = 2;
    await user.clear(within(form).getByLabelText("Currency"));
    await user.type(within(form).getByLabelText("Currency"), "USD");
    await user.click(within(form).getByRole("button", { name: "Save settings" }));

    const note = await within(form).findByRole("alert");
    expect(note).toHaveTextContent("Someone changed these settings meanwhile — reload to see their changes.");
    expect(within(form).queryByText("Precondition Failed")).not.toBeInTheDocument();
    expect(gw.to("PATCH /organizations/current")[0].headers.get("If-Match")).toBe('"o1"');

    await user.click(within(note).getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.getByLabelText("Name")).toHaveValue("Studio Paris"));
    expect(screen.getByLabelText("Currency")).toHaveValue("EUR");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
