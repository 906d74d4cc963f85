// How the time views name the API's enumerations.

export const EXPENSE_CATEGORIES = ["software", "travel", "equipment", "contractor", "other"] as const;
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number];

export const EXPENSE_CATEGORY_LABEL: Record<ExpenseCategory, string> = {
  software: "Software",
  travel: "Travel",
  equipment: "Equipment",
  contractor: "Contractor",
  other: "Other",
};

export function expenseCategoryLabel(category: string): string {
  return EXPENSE_CATEGORY_LABEL[category as ExpenseCategory] ?? category;
}
