export { RedisBroker, redisBroker, type RedisBrokerState } from './broker.js';
export { RedisBrokerError, type RedisBrokerErrorCode } from './errors.js';
export type { RedisBrokerOptions, RedisConnectionOptions } from './options.js';
