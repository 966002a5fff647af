import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runFolio } from "../helpers/cli.js";

const home = () => ({ FOLIO_HOME: mkdtempSync(path.join(os.tmpdir(), "folio-cli-")) });

describe("folio CLI: usage and user errors", () => {
  it("prints help with every command and exits 0", async () => {
    const run = await runFolio(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["ingest", "search", "ask", "chat", "serve", "config", "docs", "embed", "demo"]) expect(run.stdout).toContain(command);
  });

  it("gives every command its own --help", async () => {
    const run = await runFolio(["search", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--json");
    expect(run.stdout).toContain("--image");
  });

  it("exits 2 with usage on an unknown command", async () => {
    const run = await runFolio(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(run.stderr).toMatch(/--help/);
  });

  it("exits 2 on an unknown flag", async () => {
    const run = await runFolio(["search", "x", "--colour"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option '--colour'/);
  });

  it("exits 2 on malformed flag values, saying what is accepted", async () => {
    const k = await runFolio(["search", "x", "-k", "zero"], { env: home() });
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--k must be a whole number/);
    const year = await runFolio(["search", "x", "--year", "last year"], { env: home() });
    expect(year.code).toBe(2);
    expect(year.stderr).toMatch(/2017\.\.2020/);
    const filter = await runFolio(["search", "x", "--filter", "{not json"], { env: home() });
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/--filter is not valid JSON/);
    const kind = await runFolio(["search", "x", "--kind", "video"], { env: home() });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/text, page, figure/);
  });

  it("asks for a query when search gets none on a terminal", async () => {
    const run = await runFolio(["search"], { env: home() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/search needs a query/);
  });

  it("names a missing path and does not print a stack trace", async () => {
    const run = await runFolio(["ingest", "/no/such/folder/papers"], { env: home() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("/no/such/folder/papers");
    expect(run.stderr).toMatch(/hint:/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("says to ingest first when searching or asking an empty store", async () => {
    const env = home();
    const search = await runFolio(["search", "attention"], { env });
    expect(search.code).toBe(1);
    expect(search.stderr).toMatch(/folio ingest/);
    const ask = await runFolio(["ask", "What is attention?", "--json"], { env });
    expect(ask.code).toBe(1);
    expect(JSON.parse(ask.stdout).error.code).toBe("EMPTY_STORE");
  });

  it("reports a missing image file for image search", async () => {
    const run = await runFolio(["search", "--image", "/no/such.png"], { env: home() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Image not found: \/no\/such\.png/);
  });

  it("reports invalid configuration with the variable name and exit 1", async () => {
    const run = await runFolio(["config"], { env: { ...home(), JINA_DIMENSIONS: "100" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/JINA_DIMENSIONS/);
  });

  it("prints the configuration with secrets masked", async () => {
    const secret = "jina_0123456789abcdefSECRET";
    const run = await runFolio(["config", "--json"], { env: { ...home(), JINA_API_KEY: secret, OPENAI_API_KEY: "sk-zzzzzzzzzzzzzzzzzzzzzz" } });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(secret);
    expect(run.stdout).not.toContain("sk-zzzzzzzzzzzzzzzzzzzzzz");
    const parsed = JSON.parse(run.stdout);
    expect(parsed.embeddings.mode).toBe("jina");
    expect(parsed.store.mode).toBe("embedded");
  });

  it("refuses reset without --yes", async () => {
    const run = await runFolio(["reset"], { env: home() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--yes/);
  });
});
