/**
 * Child process for the crash test: stores one document of N chunks in the embedded store at
 * FOLIO_HOME=argv[2], one point per upsert, printing progress and pausing after each batch so the
 * parent can SIGKILL it in the middle of the write.
 */
import { loadConfig } from "../../../src/config.js";
import { openFolioStore } from "../../../src/store/index.js";
import { crashDocument } from "./crash-fixture.js";

const [home, collection, version] = process.argv.slice(2);
if (!home || !collection || !version) throw new Error("usage: put-child <home> <collection> <version>");
const config = loadConfig({ FOLIO_HOME: home, FOLIO_COLLECTION: collection }, {}, home);
const store = await openFolioStore(config, null, { batchSize: 1 });
const { document, chunks } = crashDocument(version);
const pause = new Int32Array(new SharedArrayBuffer(4));
await store.putDocument(document, chunks, (done) => {
  process.stdout.write(`progress ${done}\n`);
  Atomics.wait(pause, 0, 0, 15);
});
await store.close();
process.stdout.write("finished\n");
