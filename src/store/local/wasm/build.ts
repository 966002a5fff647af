/**
 * Compiles dot.wat into dot-wasm.ts (base64) with wabt, a devDependency.
 * Run after editing dot.wat: npx tsx src/store/local/wasm/build.ts
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const here = path.dirname(fileURLToPath(import.meta.url));
const wabt = await wabtInit();
const source = fs.readFileSync(path.join(here, "dot.wat"), "utf8");
const mod = wabt.parseWat("dot.wat", source, { simd: true });
mod.validate();
const { buffer } = mod.toBinary({});
const b64 = Buffer.from(buffer).toString("base64");
fs.writeFileSync(
  path.join(here, "dot-wasm.ts"),
  `/** Generated from dot.wat by build.ts (${buffer.length} bytes). Do not edit. */\nexport const DOT_WASM_BASE64 =\n  "${b64}";\n`,
);
console.log(`dot-wasm.ts: ${buffer.length} bytes of wasm`);
