import type { Command } from "commander";
import type { CommandContext } from "../program.js";
import path from "node:path";
import { writeJson, writeLine } from "../io.js";
import { ConfigError, InputError } from "../../errors.js";
import { parsePositiveInt } from "../options.js";
import { countOf } from "../../util/numbers.js";
import type { SnapshotFile } from "../../store/snapshots.js";

interface ServeFlags {
  port?: number;
  host?: string;
  apiKey?: string;
  readOnly?: boolean;
}

export function registerStore(program: Command, ctx: CommandContext): Command {
  const store = program.command("store").description("the embedded store as a Qdrant server, and its snapshots");
  store
    .command("serve")
    .description("serve the embedded store over Qdrant's REST API: other machines and any Qdrant client use it with QDRANT_URL")
    .option("--port <port>", "port (FOLIO_STORE_PORT, default 6333)", parsePositiveInt("--port", 65_535))
    .option("--host <host>", "interface (FOLIO_STORE_HOST, default 127.0.0.1); beyond loopback an API key is required")
    .option("--api-key <key>", "the key clients must send (FOLIO_STORE_API_KEY)")
    .option("--read-only", "refuse every write")
    .action(async (opts: ServeFlags, command: Command) => {
      const config = ctx.loadConfig(command);
      if (config.qdrant.mode === "server") {
        throw new ConfigError(`QDRANT_URL is set (${config.qdrant.url}): there is no embedded store to serve.`, "Unset QDRANT_URL on the machine that holds the store; the others set QDRANT_URL to this server.");
      }
      const { startStoreServer } = await import("../../server/qdrant/index.js");
      const s = config.storeServer;
      const apiKey = opts.apiKey ?? s.apiKey;
      const server = await startStoreServer({ path: config.qdrant.path, host: opts.host ?? s.host, port: opts.port ?? s.port, maxBodyBytes: s.maxBodyBytes, ...(apiKey ? { apiKey } : {}), ...(opts.readOnly ? { readOnly: true } : {}) });
      writeLine(ctx.io.stderr, `Serving ${config.qdrant.path} over Qdrant's REST API at ${server.url}${apiKey ? " (API key required)" : ""}${opts.readOnly ? ", read-only" : ""}. Elsewhere: QDRANT_URL=${server.url}. Ctrl-C stops it.`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
  store
    .command("snapshot")
    .description("back up the collections: Qdrant's own snapshots on a server; a portable export (any store) with --portable or on the embedded store")
    .option("--out <dir>", "folder to write them to", "snapshots")
    .option("--portable", "write Folio's portable export (restorable into any store with `folio store restore`)")
    .option("--json", "the files written, as JSON")
    .action(async (opts: { out: string; portable?: boolean; json?: boolean }, command: Command) => {
      const config = ctx.loadConfig(command);
      const [{ closeClient, createQdrantClient, errorStatus, holdForWriting, toStoreError }, { documentsCollectionName }, snapshots] = await Promise.all([import("../../store/client.js"), import("../../store/collection.js"), import("../../store/snapshots.js")]);
      const client = createQdrantClient(config);
      const out = path.resolve(ctx.io.cwd, opts.out);
      const names = [config.collection, documentsCollectionName(config.collection)];
      const files: SnapshotFile[] = [];
      const q = config.qdrant;
      // Qdrant's own snapshots on a server; the portable export everywhere else, or when asked.
      const native = q.mode === "server" && !opts.portable;
      // On the embedded store an ingest must not write between the pages of the export.
      const release = await holdForWriting(client, config, "snapshot");
      try {
        for (const name of names) {
          if (!(await client.collectionExists(name)).exists) throw new InputError(`There is no collection "${name}" to back up.`, "Ingest first, or set FOLIO_COLLECTION to the collection you mean.");
          files.push(native ? await snapshots.downloadServerSnapshot(client, { url: q.url, ...(q.apiKey ? { apiKey: q.apiKey } : {}) }, name, out) : await snapshots.exportCollection(client, name, out));
        }
      } catch (error) {
        if (native && errorStatus(error) === 404) {
          throw new InputError(`The server at ${q.url} has no snapshot API (a \`folio store serve\`, or a proxy that hides it).`, "Run `folio store snapshot --portable` for a portable export, or snapshot on the Qdrant server itself.");
        }
        throw toStoreError(error, config, "snapshot");
      } finally {
        release();
        await closeClient(client);
      }
      if (opts.json) return writeJson(ctx.io, { files });
      for (const f of files) writeLine(ctx.io.stdout, `${f.file}  ${countOf(f.bytes, "byte", "bytes")}${f.points !== undefined ? `, ${countOf(f.points, "point", "points")}` : ""}`);
      writeLine(ctx.io.stderr, native ? "Qdrant snapshots: restore them with Qdrant's recover API (PUT /collections/<name>/snapshots/recover or /snapshots/upload)." : "Portable exports: `folio store restore <files>` loads them into the configured store (embedded, or a server with QDRANT_URL).");
    });
  store
    .command("restore")
    .description("load portable exports (from `folio store snapshot --portable`) into the configured store: e.g. move an embedded library to a Qdrant cluster")
    .argument("<files...>", "<collection>.folio.jsonl.gz files")
    .option("--json", "what was restored, as JSON")
    .action(async (files: string[], opts: { json?: boolean }, command: Command) => {
      const config = ctx.loadConfig(command);
      const [{ closeClient, createQdrantClient, toStoreError }, { restoreExport }] = await Promise.all([import("../../store/client.js"), import("../../store/snapshots.js")]);
      const client = createQdrantClient(config);
      const restored = [];
      try {
        for (const file of files) restored.push(await restoreExport(client, path.resolve(ctx.io.cwd, file), config.qdrant.mode === "server" ? { cluster: config.qdrant.cluster } : {}));
      } catch (error) {
        throw toStoreError(error, config, "restore");
      } finally {
        await closeClient(client);
      }
      if (opts.json) return writeJson(ctx.io, { restored });
      for (const r of restored) writeLine(ctx.io.stdout, `${r.collection}: ${countOf(r.points ?? 0, "point", "points")} from ${r.file}`);
    });
  return store;
}
