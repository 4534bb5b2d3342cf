import {
  FiretowerCodedError,
  TopicServiceErrorStatus,
  type TopicServiceClientErrorCode as ClientCode,
  type TopicServiceConfigErrorCode as ConfigCode,
} from '@firetower/protocol';
import type { TopicServiceErrorCode } from './wire.js';

/** Protocol's `TopicServiceClientErrorCode` (aliases, so the bundled declarations export types only). */
export type TopicServiceClientErrorCode = ClientCode;
/** Protocol's `TopicServiceConfigErrorCode`. */
export type TopicServiceConfigErrorCode = ConfigCode;

/** A refusal by the service; `status` is the HTTP status the API answers with (`TopicServiceErrorStatus`). */
export class TopicServiceError extends FiretowerCodedError<TopicServiceErrorCode> {
  readonly status: number;
  constructor(code: TopicServiceErrorCode, message: string) {
    super(code, message);
    this.name = 'TopicServiceError';
    this.status = TopicServiceErrorStatus[code];
  }
}

/**
 * A request from the broker to the service failed: a refusal (`status` set) or the network. The
 * codes (`network`, `bad_response`, `timeout`, `unreachable`, `not_running`, or the service's own
 * refusal code) are protocol's `TopicServiceClientErrorCode`.
 */
export class TopicServiceClientError extends FiretowerCodedError<TopicServiceClientErrorCode> {
  readonly status: number | undefined;
  constructor(code: TopicServiceClientErrorCode, message: string, status?: number) {
    super(code, message);
    this.name = 'TopicServiceClientError';
    this.status = status;
  }
}

/**
 * The broker was configured with something it can never use (thrown by its constructor).
 * `bad_url`: not an http(s) URL; `bad_port`: a port Node's `fetch` refuses (the Fetch standard's
 * blocked ports). The codes are protocol's `TopicServiceConfigErrorCode`.
 */
export class TopicServiceConfigError extends FiretowerCodedError<TopicServiceConfigErrorCode> {
  constructor(code: TopicServiceConfigErrorCode, message: string) {
    super(code, message);
    this.name = 'TopicServiceConfigError';
  }
}
