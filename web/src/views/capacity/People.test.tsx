import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { addDays, isoDate, shortDate } from "../../api/format";
import { fakeGateway, invalid, me, renderView, type Call } from "../../test-utils";
import { People } from "./People";

const ANA = "11111111-1111-1111-1111-111111111111";
const BO_USER = "33333333-3333-3333-3333-333333333333";

const ana = {
  id: ANA, name: "Ana Lima", email: "ana@studio.test", user_id: "u-1", seniority_level: "senior",
  billing_rate: "150.00", cost_rate: "80.50", currency: "USD", capacity_hours_per_week: 32,
};

describe("People", () => {
  it("lists each person with their billing and cost rates", async () => {
    const gw = fakeGateway({
      "GET /resources": {
        resources: [ana, { ...ana, id: "r-2", name: "Bo", user_id: null, cost_rate: undefined, seniority_level: "contractor" }],
        next_cursor: null,
      },
    });
    renderView(<People />);

    const anaRow = (await screen.findByRole("cell", { name: "Ana Lima" })).closest("tr")!;
    expect(within(anaRow).getByText("$150.00")).toBeInTheDocument();
    expect(within(anaRow).getByText("$80.50")).toBeInTheDocument();
    expect(within(anaRow).getByText("Senior")).toBeInTheDocument();
    expect(within(anaRow).getByText("32 h/week")).toBeInTheDocument();
    expect(within(anaRow).getByText("Has login")).toBeInTheDocument();

    const boRow = screen.getByRole("cell", { name: "Bo" }).closest("tr")!;
    expect(within(boRow).getByText("—")).toBeInTheDocument(); // no cost rate in the answer
    expect(within(boRow).getByText("No login")).toBeInTheDocument();
    expect(gw.to("GET /resources")[0].query.get("limit")).toBe("500");
  });

  it("saves a person with rates as strings, hours as a number and the linked member", async () => {
    const user = userEvent.setup();
    let created = false;
    const gw = fakeGateway({
      "GET /resources": () => ({ resources: created ? [ana, { ...ana, id: "r-3", name: "Bo Park" }] : [ana], next_cursor: null }),
      "GET /organizations/current/members": {
        members: [
          { user: { id: "u-1", email: "ana@studio.test", first_name: "Ana", last_name: "Lima" }, role: "manager" },
          { user: { id: BO_USER, email: "bo@studio.test", first_name: "Bo", last_name: "Park" }, role: "member" },
        ],
        next_cursor: null,
      },
      "POST /resources": () => {
        created = true;
        return { ...ana, id: "r-3", name: "Bo Park" };
      },
    });
    renderView(<People />);

    await user.click(await screen.findByRole("button", { name: "Add person" }));
    const form = screen.getByRole("form", { name: "Add person" });
    await user.type(within(form).getByLabelText("Name"), "Bo Park");
    await user.type(within(form).getByLabelText("Email"), "bo@studio.test");
    await user.selectOptions(within(form).getByLabelText("Seniority"), "junior");
    await user.type(within(form).getByLabelText("Billing rate"), "95,50");
    await user.type(within(form).getByLabelText("Cost rate"), "40");
    const hoursInput = within(form).getByLabelText("Hours per week");
    expect(hoursInput).toHaveValue(40);
    await user.clear(hoursInput);
    await user.type(hoursInput, "32");
    await within(form).findByRole("option", { name: "Bo Park" });
    await user.selectOptions(within(form).getByLabelText("Link to member"), "Bo Park");
    await user.click(within(form).getByRole("button", { name: "Save person" }));

    expect(await screen.findByText("Bo Park added.")).toBeInTheDocument();
    const [post] = gw.to("POST /resources");
    expect(post.body).toEqual({
      name: "Bo Park",
      email: "bo@studio.test",
      seniority_level: "junior",
      billing_rate: "95.50",
      cost_rate: "40",
      capacity_hours_per_week: 32,
      user_id: BO_USER,
    });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Add person" })).not.toBeInTheDocument();
    expect(await screen.findByRole("cell", { name: "Bo Park" })).toBeInTheDocument();
  });

  it("shows the active people by default, and everyone, those who left too, on request", async () => {
    const user = userEvent.setup();
    const left = { ...ana, id: "r-9", name: "Cy Gone", end_date: "2026-03-01", is_active: false };
    const leaving = { ...ana, id: "r-8", name: "Di Soon", end_date: "2099-06-30", is_active: true };
    const gw = fakeGateway({
      "GET /resources": ({ query }: Call) => ({
        resources: query.get("is_active") === "true" ? [ana, leaving] : [ana, left, leaving],
        next_cursor: null,
      }),
    });
    renderView(<People />);

    const show = await screen.findByLabelText("Show");
    expect(show).toHaveValue("active");
    await screen.findByRole("cell", { name: "Ana Lima" });
    expect(gw.to("GET /resources")[0].query.get("is_active")).toBe("true");
    expect(screen.queryByRole("cell", { name: "Cy Gone" })).not.toBeInTheDocument();
    const soonRow = screen.getByRole("cell", { name: "Di Soon" }).closest("tr")!;
    expect(within(soonRow).getByText(`Leaves on ${shortDate("2099-06-30")}`)).toBeInTheDocument();

    await user.selectOptions(show, "all");
    const goneRow = (await screen.findByRole("cell", { name: "Cy Gone" })).closest("tr")!;
    expect(within(goneRow).getByText(`Left on ${shortDate("2026-03-01")}`)).toBeInTheDocument();
    // One who has left cannot be deactivated again; the others can.
    expect(within(goneRow).queryByRole("button", { name: /Deactivate/ })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Deactivate Ana Lima" })).toBeInTheDocument();
    const everyone = gw.to("GET /resources").at(-1)!;
    expect(everyone.query.has("is_active")).toBe(false);
    expect(everyone.query.get("limit")).toBe("500");
  });

  it("offers a member no deactivation", async () => {
    fakeGateway({
      "GET /auth/me": me("member"),
      "GET /resources": { resources: [ana], next_cursor: null },
    });
    renderView(<People />);

    await screen.findByRole("cell", { name: "Ana Lima" });
    expect(screen.queryByRole("button", { name: /Deactivate/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("columnheader", { name: "Actions" })).not.toBeInTheDocument();
  });

  it("deactivates a person from the chosen date, shows a refused date beside it, and refreshes the list", async () => {
    const user = userEvent.setup();
    const later = isoDate(addDays(new Date(), 30));
    let endDate: string | null = null;
    const gw = fakeGateway({
      "GET /resources": () => ({
        resources: [{ ...ana, end_date: endDate, is_active: true }],
        next_cursor: null,
      }),
      "DELETE /resources/:id": ({ query }: Call) => {
        const given = query.get("end_date");
        if (given === "2001-01-01") return invalid("end_date", "is before Ana Lima's first booking");
        endDate = given;
        return undefined; // 204
      },
    });
    renderView(<People />);

    await user.click(await screen.findByRole("button", { name: "Deactivate Ana Lima" }));
    const form = screen.getByRole("form", { name: "Deactivate Ana Lima" });
    const date = within(form).getByLabelText("End date");
    expect(date).toHaveValue(isoDate(new Date())); // today unless changed

    await user.clear(date);
    await user.type(date, "2001-01-01");
    await user.click(within(form).getByRole("button", { name: "Deactivate" }));
    expect(await within(form).findByText("is before Ana Lima's first booking")).toBeInTheDocument();
    expect(date).toHaveAttribute("aria-invalid", "true");
    expect(date).toHaveAccessibleDescription(/is before Ana Lima's first booking/);
    expect(within(form).queryByText("Unprocessable Entity")).not.toBeInTheDocument(); // said once, beside the date

    const reads = gw.to("GET /resources").length;
    await user.clear(date);
    await user.type(date, later);
    await user.click(within(form).getByRole("button", { name: "Deactivate" }));

    expect(await screen.findByText(`Ana Lima no longer counts from ${shortDate(later)}.`)).toBeInTheDocument();
    const sent = gw.to(`DELETE /resources/${ANA}`);
    expect(sent.map((c) => c.query.get("end_date"))).toEqual(["2001-01-01", later]);
    expect(sent[1].body).toBeUndefined();
    expect(screen.queryByRole("form", { name: "Deactivate Ana Lima" })).not.toBeInTheDocument();
    await waitFor(() => expect(gw.to("GET /resources").length).toBeGreaterThan(reads));
    const row = screen.getByRole("cell", { name: "Ana Lima" }).closest("tr")!;
    expect(await within(row).findByText(`Leaves on ${shortDate(later)}`)).toBeInTheDocument();
  });

  it("closes the deactivation on Cancel without asking the gateway", async () => {
    const user = userEvent.setup();
    const gw = fakeGateway({ "GET /resources": { resources: [ana], next_cursor: null } });
    renderView(<People />);

    await user.click(await screen.findByRole("button", { name: "Deactivate Ana Lima" }));
    await user.click(within(screen.getByRole("form", { name: "Deactivate Ana Lima" })).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("form", { name: "Deactivate Ana Lima" })).not.toBeInTheDocument();
    expect(gw.calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
  });
});
