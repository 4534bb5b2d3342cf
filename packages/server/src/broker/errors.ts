import { FiretowerCodedError, type BrokerErrorCode } from '@firetower/protocol';

/**
 * Why a broker refused an operation because of where it is in its life: `broker_not_started`
 * (called before `start()`), `broker_already_started` (a second `start()`), `broker_closed`
 * (called while closing or after `close()`). The server and its HTTP and gRPC doors report these
 * by code, not as internal errors.
 */
export type BrokerLifecycleErrorCode = Exclude<BrokerErrorCode, 'broker_overflow'>;

export class BrokerLifecycleError extends FiretowerCodedError<BrokerLifecycleErrorCode> {
  constructor(code: BrokerLifecycleErrorCode, message: string) {
    super(code, message);
    this.name = 'BrokerLifecycleError';
  }
}
