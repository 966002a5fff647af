import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { conformanceSuite } from "./suite.js";

conformanceSuite("embedded LocalQdrantClient (:memory:)", async () => {
  const client = new LocalQdrantClient({ path: ":memory:" });
  return { client, close: () => client.close() };
});
