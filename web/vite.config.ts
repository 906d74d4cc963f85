/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves dist/ at / (labs_gateway.console); `npm run dev` proxies the API to a
// running `make up` so the console can be worked on with hot reload.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // The first screen's budget is 250 KB of gzipped JavaScript (tests/console/test_budget.py);
    // views load as their own chunks.
    chunkSizeWarningLimit: 400,
    assetsInlineLimit: 0, // no data: URLs, so the CSP needs none for scripts or styles
  },
  server: {
    proxy: { "/api": { target: "http://127.0.0.1:8000", ws: true } },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test-setup.ts"],
  },
});
