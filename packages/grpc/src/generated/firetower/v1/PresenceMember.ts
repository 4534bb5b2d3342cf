// Original file: proto/firetower.proto


export interface PresenceMember {
  /**
   * The member: its userId, or `client:<clientId>` for an anonymous connection (a user's
   * connections are one member).
   */
  'id'?: (string);
  /**
   * What the member shows (the server's authenticate hook's `presence`) as JSON text; "null" when
   * nothing.
   */
  'infoJson'?: (string);
  /**
   * The member's connections on the topic, cluster-wide.
   */
  'connections'?: (number);
}

export interface PresenceMember__Output {
  /**
   * The member: its userId, or `client:<clientId>` for an anonymous connection (a user's
   * connections are one member).
   */
  'id': (string);
  /**
   * What the member shows (the server's authenticate hook's `presence`) as JSON text; "null" when
   * nothing.
   */
  'infoJson': (string);
  /**
   * The member's connections on the topic, cluster-wide.
   */
  'connections': (number);
}
