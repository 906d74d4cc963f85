import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { tokens } from "../../api/tokens";
import { fakeGateway, reply, renderView } from "../../test-utils";
import Login from "./Login";

const ORGS = [{ id: "o-1", name: "Studio North" }, { id: "o-2", name: "Studio South" }];

test("an email in two organizations is asked which one, then logs in to it", async () => {
  let asked = 0;
  const gateway = fakeGateway({
    "POST /auth/login": () => (asked++ === 0
      ? reply(422, { title: "Unprocessable", status: 422, detail: "choose an organization",
          errors: [{ field: "organization_id", message: "choose one" }], organizations: ORGS })
      : { user: { id: "u", email: "ana@x.test" }, access_token: "a2", refresh_token: "r2" }),
  });
  renderView(<Login />);
  await userEvent.type(await screen.findByLabelText("Email"), "ana@x.test");
  await userEvent.type(screen.getByLabelText("Password"), "correct horse battery");
  await userEvent.click(screen.getByRole("button", { name: "Log in" }));
  await userEvent.selectOptions(await screen.findByLabelText("Organization"), "Studio South");
  await userEvent.click(screen.getByRole("button", { name: "Log in" }));
  expect(gateway.to("POST /auth/login").map((c) => c.body)).toEqual([
    { email: "ana@x.test", password: "correct horse battery" },
    { email: "ana@x.test", password: "correct horse battery", organization_id: "o-2" },
  ]);
  expect(tokens.get()).toEqual({ access_token: "a2", refresh_token: "r2" });
  expect(screen.queryByRole("alert")).not.toBeInTheDocument(); // the choice is not an error
});
