/**
 * Ports: the service's default and the ports `fetch` refuses.
 *
 * The broker talks to the service with the global `fetch`, which refuses the Fetch standard's
 * "bad ports" (https://fetch.spec.whatwg.org/#port-blocking) with `fetch failed (bad port)`. The
 * old default, 6666, is one of them, so a default cluster never formed. The list lives here only:
 * the CLI, `startTopicService` and the broker all check against it.
 */

/**
 * The topic service's default port. 7070 is not on the Fetch standard's blocked-port list (checked
 * by a test against the list below and against Node's `fetch` itself).
 */
export const DEFAULT_TOPIC_SERVICE_PORT = 7070;

/** The Fetch standard's bad ports, as Node's `fetch` (undici) applies them. */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** True when `fetch` refuses to connect to this port. */
export function isFetchBlockedPort(port: number): boolean {
  return FETCH_BLOCKED_PORTS.has(port);
}

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}
