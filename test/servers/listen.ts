/** Local HTTP servers for tests: listen on 127.0.0.1, an ephemeral port, and close every socket. */
import type http from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalListener {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** Stops listening and closes every connection, idle or not; resolves when the server has closed. */
  close(): Promise<void>;
}

export async function listenLocal(server: http.Server): Promise<LocalListener> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request's whole body as UTF-8 text. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}
