/**
 * The benchmark's figures: one row per metric with the new build's value, the baseline's, their
 * ratio (new / baseline) and a target when the issue sets one. Printed as text tables and written
 * as Markdown.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MiB } from "./util.js";

export type Unit = "ms" | "s" | "MiB" | "x" | "count" | "fraction" | "req/s";

export interface Target {
  /** What is asked, e.g. "<= 1.3x one-paper store". */
  text: string;
  pass: boolean;
}

export interface Row {
  metric: string;
  unit: Unit;
  /** null: not measured (skipped, or the build cannot do it); the note says why. */
  newValue: number | null;
  baseline: number | null;
  target?: Target;
  note?: string;
}

export interface Section {
  title: string;
  /** How it was measured, printed under the title. */
  method: string[];
  rows: Row[];
}

export function bytesToMiB(bytes: number): number {
  return bytes / MiB;
}

export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || Number.isNaN(value)) return "n/a";
  switch (unit) {
    case "ms":
      return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
    case "s":
      return `${value.toFixed(2)} s`;
    case "MiB":
      return `${value.toFixed(0)} MiB`;
    case "x":
      return `${value.toFixed(2)}x`;
    case "count":
      return value.toLocaleString("en-US");
    case "fraction":
      return value.toFixed(3);
    case "req/s":
      return `${value.toFixed(0)} req/s`;
  }
}

/** new / baseline, when both are numbers and the baseline is not 0. */
export function ratio(row: Row): string {
  if (row.newValue === null || row.baseline === null || Number.isNaN(row.newValue) || Number.isNaN(row.baseline) || row.baseline === 0) return "";
  return `${(row.newValue / row.baseline).toFixed(2)}x`;
}

function verdict(row: Row): string {
  return row.target ? (row.target.pass ? "PASS" : "FAIL") : "";
}

function cells(row: Row): string[] {
  return [row.metric, formatValue(row.newValue, row.unit), formatValue(row.baseline, row.unit), ratio(row), row.target?.text ?? "", verdict(row)];
}

const HEADER = ["metric", "new", "baseline", "ratio", "target", "result"];

export function printSection(section: Section): void {
  console.log(`\n== ${section.title} ==`);
  for (const line of section.method) console.log(`  ${line}`);
  const table = [HEADER, ...section.rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length)));
  const render = (r: string[]) => `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(" | ")}`;
  console.log(render(HEADER));
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("-|-")}`);
  for (const row of section.rows) {
    console.log(render(cells(row)));
    if (row.note) console.log(`  ${" ".repeat(widths[0]!)}   note: ${row.note}`);
  }
}

export function misses(sections: Section[]): Array<{ section: string; row: Row }> {
  return sections.flatMap((s) => s.rows.filter((r) => r.target && !r.target.pass).map((row) => ({ section: s.title, row })));
}

const escape = (s: string) => s.replace(/\|/g, "\\|");

export function writeMarkdown(file: string, sections: Section[], context: { command: string; version: string; baseline: string; seconds: number; note?: string }): void {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    "# Embedded store benchmark: new layout vs today's",
    "",
    `Written by \`${context.command}\` on ${date}: Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, run took ${(context.seconds / 60).toFixed(1)} min.`,
    `New: ${context.version}. Baseline: ${context.baseline}. Ratio = new / baseline (below 1 is better for times and memory). A run measures both builds on stores with the same points; figures swing 10 to 20% with the host's load.`,
  ];
  if (context.note) lines.push("", `**Note:** new build: ${context.note}.`);
  for (const section of sections) {
    lines.push("", `## ${section.title}`, "");
    for (const line of section.method) lines.push(`- ${line}`);
    lines.push("", `| ${HEADER.join(" | ")} |`, `|${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
    const notes: string[] = [];
    for (const row of section.rows) {
      const c = cells(row).map(escape);
      if (row.note) {
        notes.push(row.note);
        c[0] = `${c[0]} [${notes.length}]`;
      }
      lines.push(`| ${c.join(" | ")} |`);
    }
    if (notes.length) lines.push("", ...notes.map((note, i) => `[${i + 1}] ${note}  `));
  }
  const missed = misses(sections);
  lines.push("", missed.length === 0 ? "All targets met." : `Targets missed: ${missed.map((m) => `${m.section}: ${m.row.metric}`).map(escape).join("; ")}.`, "");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n"));
}
