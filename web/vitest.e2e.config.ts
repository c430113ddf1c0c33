import { defineConfig } from "vitest/config";

// End-to-end: a real `sealtrail up`, a moto server and Debian's Chromium (see e2e/).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    globalSetup: ["e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
