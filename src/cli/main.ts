#!/usr/bin/env node
/** The `folio` executable: loads .env from the working directory, then runs the CLI. */
import dotenv from "dotenv";
import { processIO } from "./io.js";
import { runCli } from "./program.js";

dotenv.config({ quiet: true });
const code = await runCli(process.argv.slice(2), processIO());
process.exitCode = code;
