import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server proxies the API to a local `sealtrail up` (SEALTRAIL_API, default :8000).
const api = process.env.SEALTRAIL_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": api, "/healthz": api, "/readyz": api } },
  build: { outDir: "dist", sourcemap: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
