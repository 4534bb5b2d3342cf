// Original file: proto/firetower.proto


export interface PublishRequest {
  /**
   * A topic: 1..max_topic_length printable ASCII characters, no spaces, no commas.
   */
  'topic'?: (string);
  /**
   * JSON text, parsed and delivered as that value: '{"text":"hi"}' arrives as an object.
   */
  'dataJson'?: (string);
  /**
   * A plain string, delivered as a JSON string (no JSON encoding needed by the caller).
   */
  'dataText'?: (string);
  /**
   * Raw bytes, delivered as a base64 string (WebSocket frames are JSON text).
   */
  'dataBytes'?: (Buffer | Uint8Array | string);
  /**
   * Do not deliver to this WebSocket clientId (e.g. the sender's own tab).
   */
  'excludeClientId'?: (string);
  /**
   * Deliver once per key within the server's dedupe window: a retried publish with the same key
   * is acknowledged but not delivered again.
   */
  'idempotencyKey'?: (string);
  /**
   * What subscribers receive as the delivery's `data`. Unset: null.
   */
  'data'?: "dataJson"|"dataText"|"dataBytes";
}

export interface PublishRequest__Output {
  /**
   * A topic: 1..max_topic_length printable ASCII characters, no spaces, no commas.
   */
  'topic': (string);
  /**
   * JSON text, parsed and delivered as that value: '{"text":"hi"}' arrives as an object.
   */
  'dataJson'?: (string);
  /**
   * A plain string, delivered as a JSON string (no JSON encoding needed by the caller).
   */
  'dataText'?: (string);
  /**
   * Raw bytes, delivered as a base64 string (WebSocket frames are JSON text).
   */
  'dataBytes'?: (Buffer);
  /**
   * Do not deliver to this WebSocket clientId (e.g. the sender's own tab).
   */
  'excludeClientId': (string);
  /**
   * Deliver once per key within the server's dedupe window: a retried publish with the same key
   * is acknowledged but not delivered again.
   */
  'idempotencyKey': (string);
  /**
   * What subscribers receive as the delivery's `data`. Unset: null.
   */
  'data'?: "dataJson"|"dataText"|"dataBytes";
}
