/**
 * Child process for the resume test: ingests a folder into FOLIO_HOME=argv[2] and prints one line
 * per finished document, so the parent can SIGKILL it mid-run.
 */
import { loadConfig } from "../../src/config.js";
import { ingest, ingestOptionsFromConfig } from "../../src/ingest/index.js";
import { openFolioStore } from "../../src/store/index.js";

const [home, folder] = process.argv.slice(2);
if (!home || !folder) throw new Error("usage: resume-child <home> <folder>");
const config = loadConfig({ FOLIO_HOME: home }, {}, home);
const store = await openFolioStore(config, null);
const summary = await ingest(store, [folder], ingestOptionsFromConfig(config), {
  onFile: (event) => {
    if (event.type === "done") process.stdout.write(`done ${event.docId}\n`);
  },
});
await store.close();
process.stdout.write(`summary ${JSON.stringify({ ingested: summary.ingested, unchanged: summary.unchanged, chunks: summary.chunks })}\n`);
