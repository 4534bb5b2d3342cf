/**
 * The `<script>` bundle. `window.Firetower` is the client class itself, so a page writes
 * `new Firetower('/ws')`; the rest of the API hangs off it (`Firetower.FiretowerError`,
 * `Firetower.CloseCode`, ...).
 */
import { Firetower } from './client.js';
import { backoff } from './backoff.js';
import { FiretowerError } from './errors.js';
import { Subscription } from './subscription.js';
import { CloseCode, ErrorCode, LocalCloseCode } from '@firetower/protocol';

const global = Object.assign(Firetower, {
  Firetower,
  FiretowerError,
  Subscription,
  CloseCode,
  ErrorCode,
  LocalCloseCode,
  backoff,
});

export default global;
