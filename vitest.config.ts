import { defineConfig } from "vitest/config";

// On CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
const ci = Boolean(process.env.CI);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The last line of every run says how many tests were skipped and what they need.
    reporters: ci ? ["default", "json", "./test/reporters/skipped.ts"] : ["default", "./test/reporters/skipped.ts"],
    ...(ci ? { outputFile: { json: "test/.tmp/vitest-results.json" } } : {}),
    projects: [
      { extends: true, test: { name: "folio", include: ["test/**/*.test.ts"] } },
      {
        // The store tests again, through QdrantClient over HTTP against `folio store serve` (the conformance suite does so in rest.test.ts).
        extends: true,
        test: {
          name: "store-over-rest",
          include: ["test/store/folio/**/*.test.ts"],
          globalSetup: ["test/store/rest/global-setup.ts"],
          setupFiles: ["test/store/rest/env.ts"],
        },
      },
    ],
  },
});
