/**
 * Starts a worker thread on a sibling module, built or not: under tsx or vitest the module is
 * TypeScript, and loader hooks do not reach worker threads on Node 20, so the worker registers tsx
 * itself and then imports the .ts file.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** `moduleUrl` is the worker's module as built (".js"); `callerUrl` is the caller's import.meta.url. */
export function startModuleWorker(moduleUrl: URL, callerUrl: string): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(moduleUrl);
  // require.resolve finds the CommonJS build of tsx's API; the worker needs its ESM twin.
  const tsxApi = pathToFileURL(createRequire(callerUrl).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const target = moduleUrl.href.replace(/\.js$/, ".ts");
  const code = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(code, { eval: true });
}
