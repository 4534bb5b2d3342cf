/** A member of a topic with presence: a user (its userId) or an anonymous connection (its clientId). */
export interface PresenceMember {
  id: string;
  /** What the server's `authenticate` gave it to show (e.g. `{ name: 'Ada' }`); `null` when nothing. */
  info: unknown;
  /** Its connections on the topic, cluster-wide (in a `presence()` answer). */
  connections?: number;
}

/** Who is on a topic: `subscription.presence()`. */
export interface PresenceList {
  members: PresenceMember[];
  /** Distinct members. */
  total: number;
  /** More than the topic's `maxMembers`: `members` is empty, only `total` is given. */
  truncated: boolean;
}
