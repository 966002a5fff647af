/**
 * `folio eval`: question sets, setups, the run, the metrics and the reports (text, JSON, HTML).
 * Uses chat (the answerer and its retrieval), ingest (collections built for a setup) and store.
 */
export { loadQuestions, parseBeir, parseFolioJsonl, type EvalQuestion, type GoldPaper } from "./questions.js";
export { DocumentResolver, resolveGold } from "./gold.js";
export * from "./metrics.js";
export { parseSetup, parseSetups, SETUP_NAMES, type SetupSpec } from "./setups.js";
export { runEval, type EvalRun, type EvalEnvironment, type EvalOptions, type QuestionScore, type SetupRun } from "./run.js";
export { summarize, type EvalReport, type SetupSummary, type Comparison, type Share } from "./summary.js";
export { formatReport } from "./table.js";
export { renderHtmlReport } from "./html.js";
export { setupCollections, type SetupCollections } from "./collections.js";
