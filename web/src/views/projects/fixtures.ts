// Sample data of the project tests: the project as GET /projects/{id} answers it.

import type { Project } from "../../api/types";

export function sampleProject(overrides: Partial<Project> = {}): Project {
  return {
    id: "p-1",
    name: "Web app",
    client_id: "c-1",
    client_name: "Acme",
    status: "active",
    priority: "medium",
    budget_type: "fixed_fee",
    budget_total: "20000.00",
    budget_currency: "USD",
    start_date: "2026-01-05",
    end_date: "2026-12-31",
    team_allocation: [],
    ...overrides,
  };
}
