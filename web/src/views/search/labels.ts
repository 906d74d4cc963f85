// How the search box names the kinds of result GET /search answers, in the order it groups them.

export const RESULT_GROUPS: [type: string, label: string][] = [
  ["project", "Projects"],
  ["task", "Tasks"],
  ["comment", "Comments"],
];
