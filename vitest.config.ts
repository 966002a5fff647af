import { defineConfig } from "vitest/config";

// On CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The last line of every run says how many tests were skipped and what they need.
    reporters: ci ? ["default", "json", "./test/reporters/skipped.ts"] : ["default", "./test/reporters/skipped.ts"],
    ...(ci ? { outputFile: { json: "test/.tmp/vitest-results.json" } } : {}),
  },
});
