/** The README's settings table is the one the settings schema generates, and names every setting. */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULTS, EnvSchema, SETTING_DESCRIPTIONS, settingsMarkdown } from "../../src/config.js";
import { README, readmeTable } from "./settings-table.js";

describe("README settings table", () => {
  it("is what `npm run docs:settings` writes (run it after changing a setting)", () => {
    expect(readmeTable(fs.readFileSync(README, "utf8"))).toBe(settingsMarkdown());
  });

  it("has one row per setting of the schema, with its default", () => {
    const table = settingsMarkdown();
    const names = Object.keys(EnvSchema.shape);
    expect(Object.keys(SETTING_DESCRIPTIONS).sort()).toEqual([...names].sort());
    for (const name of names) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain(`| \`JINA_BATCH_SIZE\` | \`${DEFAULTS.JINA_BATCH_SIZE}\` |`);
    expect(table).toContain("| `QDRANT_URL` | unset |");
  });
});
