/**
 * Image queries with image-capable embeddings (JinaEmbeddings against the Jina test server):
 * data URIs and base64 work; URLs are fetched only from allowed hosts, without redirects, size-capped.
 */
import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJinaTestServer, type JinaTestServer } from "../servers/jina-server.js";
import { listenLocal, type LocalListener } from "../servers/listen.js";
import { postJson, removeDir, startTestServer, tempHome, type Corpus, type TestServer } from "./helpers.js";

interface ErrorJson {
  error: { code: string; message: string; hint: string };
}
interface HitJson {
  kind: string;
  imageUrl?: string;
}

const MAX_BODY = 200 * 1024;

describe("image queries with Jina embeddings", () => {
  let home: string;
  let jina: JinaTestServer;
  let t: TestServer & { corpus?: Corpus };
  let files: LocalListener | undefined;
  let filesHost: string;
  let figurePng: Buffer;

  beforeAll(async () => {
    jina = await startJinaTestServer({ apiKey: "jina_testtesttesttest1234" });
    home = await tempHome("images");
    const filesServer = http.createServer((req, res) => {
      if (req.url === "/figure.png") {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(figurePng);
      } else if (req.url === "/redirect") {
        res.writeHead(302, { location: "/figure.png" });
        res.end();
      } else if (req.url === "/big.png") {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(Buffer.concat([figurePng, Buffer.alloc(MAX_BODY + 1024)]));
      } else if (req.url === "/text") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("not an image at all");
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    files = await listenLocal(filesServer);
    filesHost = `127.0.0.1:${files.port}`;
    t = await startTestServer({
      home,
      env: { JINA_BASE_URL: jina.url, JINA_API_KEY: "jina_testtesttesttest1234", JINA_DIMENSIONS: 256 },
      server: { maxBodyBytes: MAX_BODY, fetchAllowHosts: [filesHost] },
    });
    figurePng = await readFile(path.join(t.config.ingest.imagesDir, `${t.corpus!.figureImageId}.png`));
  });
  afterAll(async () => {
    await t?.close();
    await jina?.close();
    await files?.close();
    await removeDir(home);
  });

  it("/health says image search is available", async () => {
    const health = (await (await fetch(`${t.url}/health`)).json()) as { imageSearch: boolean; embeddings: { mode: string } };
    expect(health.imageSearch).toBe(true);
    expect(health.embeddings.mode).toBe("jina");
  });

  it("searches by a data URI and by raw base64: the figure finds itself", async () => {
    for (const image of [`data:image/png;base64,${figurePng.toString("base64")}`, figurePng.toString("base64")]) {
      const res = await postJson(`${t.url}/search`, { image, k: 3 });
      expect(res.status).toBe(200);
      const { hits } = (await res.json()) as { hits: HitJson[] };
      expect(hits[0]).toMatchObject({ kind: "figure", imageUrl: `/figures/${t.corpus!.figureImageId}` });
    }
  });

  it("fetches an image URL from an allowed host", async () => {
    const res = await postJson(`${t.url}/search`, { image: `http://${filesHost}/figure.png`, k: 3 });
    expect(res.status).toBe(200);
    const { hits } = (await res.json()) as { hits: HitJson[] };
    expect(hits[0]!.kind).toBe("figure");
  });

  it("POST /chat with an image answers with the figure among its sources", async () => {
    const res = await postJson(`${t.url}/chat`, { message: "What does this figure show?", image: `data:image/png;base64,${figurePng.toString("base64")}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sources: HitJson[] };
    expect(body.sources.some((s) => s.kind === "figure")).toBe(true);
  });

  it("refuses URLs from other hosts, redirects, non-images, other schemes; 413 for an image over the limit", async () => {
    const port = filesHost.split(":")[1];
    const cases: Array<[string, number, RegExp]> = [
      [`http://localhost:${port}/figure.png`, 400, /does not fetch images from localhost/],
      ["https://example.org/figure.png", 400, /does not fetch images from example\.org/],
      [`http://${filesHost}/redirect`, 400, /redirects are not followed/],
      [`http://${filesHost}/text`, 400, /not a PNG, JPEG, WebP or GIF/],
      [`http://${filesHost}/missing.png`, 400, /answered 404/],
      [`http://${filesHost}/big.png`, 413, /larger than the limit/],
      ["file:///etc/passwd", 400, /only data URIs, base64 and http\(s\) URLs/],
      ["/etc/passwd", 400, /not a PNG, JPEG, WebP or GIF/],
      ["data:image/png,rawbytes", 400, /must be base64-encoded/],
      ["not base64 at all!", 400, /not valid base64/],
    ];
    for (const [image, status, reason] of cases) {
      const res = await postJson(`${t.url}/search`, { image });
      expect(res.status, image).toBe(status);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.message, image).toMatch(reason);
    }
    const hint = ((await (await postJson(`${t.url}/search`, { image: "https://example.org/x.png" })).json()) as ErrorJson).error.hint;
    expect(hint).toMatch(/FOLIO_FETCH_ALLOW_HOSTS/);
  });
});
