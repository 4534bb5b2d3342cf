// The image's HEALTHCHECK: GET /healthz of the topic service in this container, with its token
// (with a token set, every route, health included, answers 401 without it). Node's own fetch, so
// the image needs no curl or wget. Exit 0 = healthy, 1 = not.
const port = process.env.TOPIC_SERVICE_PORT || '7070';
const headers = process.env.TOPIC_SERVICE_TOKEN ? { authorization: `Bearer ${process.env.TOPIC_SERVICE_TOKEN}` } : {};
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { headers, signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
