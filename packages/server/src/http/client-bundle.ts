import { createRequire } from 'node:module';
import type { Request, Response } from 'express';
import { HttpErrorCode } from '@firetower/protocol';

const BUNDLE = '@firetower/client/browser';

/**
 * Serves the client's browser bundle (an IIFE defining `Firetower`). Resolved per request, so a
 * `pnpm build` after the server started is picked up, and a missing build is a clear 404.
 */
export function serveClientBundle(_req: Request, res: Response): void {
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve(BUNDLE);
  } catch {
    res.status(404).json({ error: { code: HttpErrorCode.ClientBundleMissing, message: 'run pnpm build' } });
    return;
  }
  res.type('application/javascript');
  res.setHeader('Cache-Control', 'no-cache');
  res.sendFile(file, (error) => {
    if (error && !res.headersSent) res.status(404).json({ error: { code: HttpErrorCode.ClientBundleMissing, message: 'run pnpm build' } });
  });
}
