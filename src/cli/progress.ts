/** Progress bars on stderr for long work; silent when stderr is not a terminal. */
import cliProgress from "cli-progress";
import type { Writable } from "node:stream";

export interface PhaseProgress {
  start(phase: string, total: number): void;
  update(phase: string, done: number, total?: number): void;
  stop(): void;
}

export function createProgress(stream: Writable & { isTTY?: boolean }, enabled: boolean): PhaseProgress {
  if (!enabled || !stream.isTTY) return { start() {}, update() {}, stop() {} };
  const multibar = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: " {phase} |{bar}| {value}/{total} {unit} | {rate}/s | ETA {eta_formatted}",
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
  const rate = (done: number, started: number) => (done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
  return {
    start(phase, total) {
      if (bars.has(phase)) return;
      bars.set(phase, { bar: multibar.create(total, 0, { phase: phase.padEnd(7), unit: "", rate: "0" }), started: Date.now() });
    },
    update(phase, done, total) {
      if (!bars.has(phase)) this.start(phase, total ?? done);
      const entry = bars.get(phase);
      if (!entry) return;
      if (total !== undefined) entry.bar.setTotal(total);
      entry.bar.update(done, { rate: rate(done, entry.started) });
    },
    stop() {
      multibar.stop();
    },
  };
}
