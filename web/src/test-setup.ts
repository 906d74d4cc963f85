import "@testing-library/jest-dom/vitest";
import { configure } from "@testing-library/react";

// findBy*/waitFor poll until this deadline: a busy 2-core CI machine (the console's build runs
// just before) can take over a second to render a view, which the default 1 s would call a failure.
configure({ asyncUtilTimeout: 5000 });
