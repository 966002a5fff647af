/**
 * Child for reliability-kill.test.ts: runs the ingest workload of one revision (reliability-workload.ts)
 * from the start on the store at <dir>, printing a line once each operation is acknowledged
 * ("DEL <doc>", "ACK <doc> <batch>", "COMPACT <doc>" before a compaction and "COMPACTED <doc>"
 * after it), then closes the store, prints "DONE" and waits for stdin to end. The parent kills it with SIGKILL.
 */
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { ackLine, COLLECTION, COLLECTION_CONFIG, docName, workload } from "./reliability-workload.js";

const [dir, revArg] = process.argv.slice(2);
if (!dir || revArg === undefined) throw new Error("usage: reliability-kill-child <dir> <revision>");
const say = (line: string): void => void process.stdout.write(`${line}\n`); // synchronous for pipes on Linux

const client = new LocalQdrantClient({ path: dir });
if (!(await client.collectionExists(COLLECTION)).exists) {
  await client.createCollection(COLLECTION, COLLECTION_CONFIG);
  await client.createPayloadIndex(COLLECTION, { field_name: "doc", field_schema: "keyword", wait: true });
}
say("READY");
for (const op of workload(Number(revArg))) {
  if (op.kind === "delete") {
    await client.delete(COLLECTION, { wait: true, filter: { must: [{ key: "doc", match: { value: docName(op.doc) } }] } });
  } else if (op.kind === "upsert") {
    await client.upsert(COLLECTION, { wait: true, points: op.points });
  } else {
    say(`COMPACT ${op.doc}`);
    await client.compact();
  }
  say(ackLine(op));
}
await client.close();
say("DONE");
// a killed run's parent keeps stdin open, so a kill that comes after the end still finds the process
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
