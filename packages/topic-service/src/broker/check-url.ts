import { TopicServiceConfigError } from '../errors.js';
import { isFetchBlockedPort } from '../ports.js';

/** Refuse, at construction, a URL the broker could never reach (fetch refuses blocked ports). */
export function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TopicServiceConfigError('bad_url', `topic-service broker: "${String(url).slice(0, 200)}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TopicServiceConfigError('bad_url', `topic-service broker: ${parsed.protocol} URLs are not supported (http: or https:)`);
  }
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  if (isFetchBlockedPort(port)) {
    throw new TopicServiceConfigError(
      'bad_port',
      `topic-service broker: port ${port} is on the Fetch standard's blocked-port list, so fetch refuses it ("bad port"); run the service on another port (the default is 7070)`,
    );
  }
}
