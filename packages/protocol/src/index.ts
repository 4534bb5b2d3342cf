export * from './codes.js';
export * from './error-codes.js';
export * from './frames.js';
export * from './limits.js';
export * from './codec.js';
export * from './errors.js';
export * from './backoff.js';
export * from './expiring-keys.js';
