import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeGateway, renderView } from "../../test-utils";
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
});
