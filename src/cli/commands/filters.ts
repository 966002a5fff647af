/** The filter flags shared by search and ask (the chat REPL sets filters with /filter). */
import type { Command } from "commander";
import { collect } from "../options.js";

export function addFilterOptions(command: Command): Command {
  return command
    .option("--paper <docId>", "only this document (repeatable, or comma-separated); ids from `folio docs`", collect)
    .option("--kind <kind>", "only these kinds: text, page, figure (repeatable)", collect)
    .option("--lang <code>", "only chunks in this language: en, zh, ja, ko, de, fr, es, ru ... (repeatable)", collect)
    .option("--year <spec>", "publication year: 2017, 2017..2020, >=2019")
    .option("--filter <json>", "a Qdrant filter as JSON, combined with the other filters")
    .option("--references", "include the references sections (excluded by default)");
}
