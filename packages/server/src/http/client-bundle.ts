import { createRequire } from 'node:module';
import type { Request, RequestHandler, Response } from 'express';
import { HttpErrorCode } from '@firetower/protocol';

const BUNDLE = '@firetower/client/browser';

const resolveBundle = (): string => createRequire(import.meta.url).resolve(BUNDLE);

/**
 * Serves the client's browser bundle (an IIFE defining `Firetower`). Resolved per request, so a
 * `pnpm build` after the server started is picked up, and a missing build is a clear 404.
 * `resolve` is replaceable for tests.
 */
export function clientBundleRoute(resolve: () => string = resolveBundle): RequestHandler {
  return (_req: Request, res: Response): void => {
    let file: string;
    try {
      file = resolve();
    } catch {
      res.status(404).json({ error: { code: HttpErrorCode.ClientBundleMissing, message: 'run pnpm build' } });
      return;
    }
    res.type('application/javascript');
    res.setHeader('Cache-Control', 'no-cache');
    // pnpm installs packages under node_modules/.pnpm/…: a dot-folder, which `send` refuses by
    // default (404 for every pnpm user). The path is ours, resolved from a package name, so allow it.
    res.sendFile(file, { dotfiles: 'allow' }, (error) => {
      if (error && !res.headersSent) res.status(404).json({ error: { code: HttpErrorCode.ClientBundleMissing, message: 'run pnpm build' } });
    });
  };
}

export const serveClientBundle: RequestHandler = clientBundleRoute();
