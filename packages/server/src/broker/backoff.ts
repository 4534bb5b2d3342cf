// The one full-jitter backoff lives in @firetower/protocol (the client's reconnect uses it too).
export { backoff } from '@firetower/protocol';
