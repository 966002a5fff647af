/** Aborts the work behind a response when the client goes away before it is complete. */
import type { Response } from "express";

export function abortOnDisconnect(res: Response): AbortController {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller;
}
