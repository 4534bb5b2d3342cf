import type { TopicServiceErrorCode } from './wire.js';

const STATUS: Record<TopicServiceErrorCode, number> = {
  bad_request: 400,
  payload_too_large: 413,
  batch_too_large: 413,
  unauthorized: 401,
  unknown_node: 409,
  poll_in_progress: 409,
  poll_superseded: 409,
  not_found: 404,
  closed: 503,
  internal: 500,
};

/** A refusal by the service; `status` is the HTTP status the API answers with. */
export class TopicServiceError extends Error {
  readonly code: TopicServiceErrorCode;
  readonly status: number;
  constructor(code: TopicServiceErrorCode, message: string) {
    super(message);
    this.name = 'TopicServiceError';
    this.code = code;
    this.status = STATUS[code];
  }
}

/**
 * `network`: no answer; `bad_response`: an answer that is not the API's; `timeout`: no answer within
 * the deadline (claims); `unreachable`: the broker knows the link is down and did not try (claims);
 * `not_running`: the broker is not started or closed. Otherwise the service's own refusal code.
 */
export type TopicServiceClientErrorCode = TopicServiceErrorCode | 'network' | 'bad_response' | 'timeout' | 'unreachable' | 'not_running';

/** A request from the broker to the service failed: a refusal (`status` set) or the network. */
export class TopicServiceClientError extends Error {
  readonly code: TopicServiceClientErrorCode;
  readonly status: number | undefined;
  constructor(code: TopicServiceClientErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'TopicServiceClientError';
    this.code = code;
    this.status = status;
  }
}

/** The broker was configured with something it can never use (thrown by its constructor). */
export type TopicServiceConfigErrorCode = 'bad_url' | 'bad_port';

/** `bad_url`: not an http(s) URL; `bad_port`: a port Node's `fetch` refuses (the Fetch standard's blocked ports). */
export class TopicServiceConfigError extends Error {
  readonly code: TopicServiceConfigErrorCode;
  constructor(code: TopicServiceConfigErrorCode, message: string) {
    super(message);
    this.name = 'TopicServiceConfigError';
    this.code = code;
  }
}
