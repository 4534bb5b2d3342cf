/**
 * `@firetower/client/browser` is the `<script>` bundle, `dist/firetower.global.js`: an IIFE, not a
 * module. Loaded by a plain `<script>` tag (the server serves it at `/firetower/client.js`) it
 * defines one global, `Firetower`, which is the client class with the rest of the API on it.
 *
 * It is exported so tools can find the file (`require.resolve('@firetower/client/browser')`, as
 * `@firetower/server` does to serve it) and so a page's scripts can have the global typed with
 * `/// <reference types="@firetower/client/browser" />`. Importing it from a bundler gives
 * nothing usable: import `{ Firetower }` from `@firetower/client` instead.
 */
import type { Firetower as FiretowerClass, FiretowerError, Subscription, CloseCode, ErrorCode, LocalCloseCode, backoff } from './dist/index.js';

declare global {
  /** The client class, as `<script src="/firetower/client.js">` defines it. */
  var Firetower: typeof FiretowerClass & {
    Firetower: typeof FiretowerClass;
    FiretowerError: typeof FiretowerError;
    Subscription: typeof Subscription;
    CloseCode: typeof CloseCode;
    ErrorCode: typeof ErrorCode;
    LocalCloseCode: typeof LocalCloseCode;
    backoff: typeof backoff;
  };
}

export {};
