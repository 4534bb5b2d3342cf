/**
 * One INFLATE stream for the compressed client messages of every connection (permessage-deflate).
 *
 * ws inflates a client's compressed frames with a zlib stream of the connection's own, made on
 * the first compressed frame (about 40 KB with its window). Firetower negotiates
 * `client_no_context_takeover`, so no message refers to an earlier one and that stream holds
 * nothing between messages; it used to be closed after each message so idle connections would
 * not keep it, but then every compressed message made and freed one, and the freed blocks stay in
 * the process (glibc keeps them between the connections' own allocations). Browsers compress every
 * frame they send: 5,000 connections that each sent six small compressed frames held 13.4 KB of
 * RSS each against 10.4 KB on a server declining deflate (bench/compressed-inbound.mjs).
 *
 * So a message in one frame is inflated synchronously by one stream shared by the process
 * (reusable-zlib.ts) and handed to ws as its own inflater would hand it. Everything else goes
 * through ws's own path, which gives ws's own errors and close codes: a message in several
 * frames (its context spans them), a frame the shared stream refused (invalid DEFLATE data: 1007;
 * inflating past `maxPayload`: 1009, after at most that many bytes inflated here, so a zip bomb
 * costs no more than ws's own limit), and every frame on a runtime without the hooks. The
 * inflater ws makes for those is closed once its message is complete.
 */

import { createInflateRaw } from 'node:zlib';
import { ReusableZlib } from './reusable-zlib.js';
import { deflateExtensionOf } from './writer.js';

/** RFC 7692 §7.2.2: the sender dropped the sync flush's 00 00 ff ff; the receiver appends it. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

type Decompressed = (error: Error | null, data?: Buffer) => void;
type Decompress = (data: Buffer, fin: boolean, callback: Decompressed) => void;

/** What we use of ws's PerMessageDeflate object (see deflateExtensionOf). */
interface DeflateExtension {
  params?: { client_no_context_takeover?: unknown } | null;
  _maxPayload?: unknown;
  _inflate?: { close(): void } | null;
  decompress?: unknown;
}

const shared = new ReusableZlib(createInflateRaw);

function extensionOf(ws: object): DeflateExtension | undefined {
  return deflateExtensionOf(ws);
}

/**
 * Close the inflater ws made for this connection, if any and if nothing can refer to it: with
 * `client_no_context_takeover`, after a complete message. Does nothing otherwise.
 */
export function releaseInflater(ws: object): void {
  const extension = extensionOf(ws);
  if (extension?.params?.client_no_context_takeover !== true || !extension._inflate) return;
  extension._inflate.close();
  extension._inflate = null;
}

/**
 * Route this connection's compressed messages through the shared inflater (see above). False,
 * and nothing changed, when the connection did not negotiate permessage-deflate with
 * `client_no_context_takeover` or ws's extension object is not the shape this relies on.
 */
export function shareInflation(ws: object): boolean {
  const extension = extensionOf(ws);
  const own = extension?.decompress;
  if (extension === undefined || extension.params?.client_no_context_takeover !== true || typeof own !== 'function') return false;
  const maxPayload = typeof extension._maxPayload === 'number' && extension._maxPayload > 0 ? extension._maxPayload : Number.POSITIVE_INFINITY;
  let inFragments = false;
  const wsOwn = own as Decompress;
  const decompress: Decompress = (data, fin, callback) => {
    if (fin && !inFragments) {
      const inflated = shared.process(Buffer.concat([data, TRAILER]), maxPayload);
      // Deferred as ws's own is: its receiver stops reading until the callback and must not be
      // re-entered from inside its own loop.
      if (inflated !== undefined) return void process.nextTick(callback, null, inflated);
    }
    inFragments = !fin;
    wsOwn.call(extension, data, fin, (error, result) => {
      // Before handing over: the callback goes on to read the frames queued behind this one, and
      // the next may already be using ws's inflater again.
      if (fin || error) releaseInflater(ws);
      callback(error, result);
    });
  };
  extension.decompress = decompress;
  return true;
}
