/**
 * deploy/compose.yaml, read as Docker Compose reads it (no Docker here to start it): a bootstrap
 * Qdrant peer and two that join it, the API key from the env file, health checks everyone waits
 * on, and Folio pointed at the cluster with settings `folio config` accepts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config.js";

const deploy = path.resolve(import.meta.dirname, "../../deploy");

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(deploy, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe("deploy/compose.yaml", () => {
  const nodes = ["qdrant-0", "qdrant-1", "qdrant-2"].map((name) => [name, compose.services[name]!] as const);

  it("runs three clustered Qdrant nodes: one bootstraps, two join it, each on its own volume", () => {
    for (const [name, s] of nodes) {
      expect(s.image, name).toMatch(/^qdrant\/qdrant:v1\.\d+/);
      expect(s.environment?.QDRANT__CLUSTER__ENABLED, name).toBe("true");
      expect(s.command, name).toContain("--uri");
      expect(s.command?.[s.command.indexOf("--uri") + 1], name).toBe(`http://${name}:6335`);
      expect(s.volumes?.some((v) => v.startsWith(`${name}:/qdrant/storage`)), name).toBe(true);
      expect(s.healthcheck?.test.join(" "), name).toContain("/readyz");
    }
    expect(nodes[0]![1].command).not.toContain("--bootstrap");
    for (const [, s] of nodes.slice(1)) {
      expect(s.command?.[s.command.indexOf("--bootstrap") + 1]).toBe("http://qdrant-0:6335");
      expect(s.depends_on?.["qdrant-0"]?.condition).toBe("service_healthy");
    }
  });

  it("takes the API key from the env file, never from the file itself", () => {
    for (const [name, s] of nodes) {
      expect(s.env_file, name).toBe("folio.env");
      expect(s.environment?.QDRANT__SERVICE__API_KEY, name).toMatch(/^\$\{QDRANT_API_KEY:\?/);
    }
    expect(compose.services.folio?.env_file).toBe("folio.env");
    const example = readFileSync(path.join(deploy, "folio.env.example"), "utf8");
    expect(example).toMatch(/^QDRANT_API_KEY=/m);
    expect(readFileSync(path.resolve(deploy, "../.gitignore"), "utf8")).toContain("deploy/folio.env");
  });

  it("starts Folio once every node is healthy, on the cluster, with settings Folio accepts", () => {
    const folio = compose.services.folio!;
    for (const [name] of nodes) expect(folio.depends_on?.[name]?.condition).toBe("service_healthy");
    expect(folio.healthcheck?.test.join(" ")).toContain("/health");
    const config = loadConfig({ ...folio.environment, QDRANT_API_KEY: "k" }, {});
    expect(config.qdrant).toMatchObject({ mode: "server", url: "http://qdrant-0:6333", cluster: { shards: 3, replicas: 2, writeConsistency: 1 } });
    for (const v of [...nodes.flatMap(([, s]) => s.volumes ?? []), ...(folio.volumes ?? [])]) expect(Object.keys(compose.volumes)).toContain(v.split(":")[0]);
  });
});
