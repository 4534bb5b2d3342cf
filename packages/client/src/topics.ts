/**
 * Typed topics. An app describes its topics once, as a map from a topic or a topic pattern
 * (a template literal type) to the payload type:
 *
 * @example
 * type Topics = {
 *   [topic: `/chat/${string}`]: ChatMessage; // a pattern: a template-literal index signature
 *   '/status': 'up' | 'down';                 // an exact topic: a plain key
 * };
 * const client = new Firetower<Topics>('/ws');
 * client.subscribe('/chat/world', (m) => m.text); // m: ChatMessage
 *
 * Kept to two small types on purpose: a topic is any key of the map, and its payload is the
 * union of the values of every key it matches.
 */

/** The default map of an untyped client: any topic, `unknown` payloads. */
export type AnyTopics = Record<string, unknown>;

/** The topics (and topic patterns) a map allows. */
export type TopicOf<M> = Extract<keyof M, string>;

/** The payload of a concrete topic: the value of every key of the map the topic matches. */
export type PayloadOf<M, T extends string> = {
  [K in TopicOf<M>]: T extends K ? M[K] : never;
}[TopicOf<M>];

/**
 * The payload a call uses: the explicit per-call type argument when one was given (it defaults to
 * `never`, which nobody passes on purpose), otherwise the one the map gives for the topic.
 */
export type Chosen<Explicit, FromMap> = [Explicit] extends [never] ? FromMap : Explicit;

/** What a handler and the `message` events receive. */
export interface TopicMessage<T = unknown> {
  topic: string;
  data: T;
  /** On a topic with history: the message's place in the topic's stream (see `SubscribedEvent`). */
  offset?: number;
  /** On a topic with history: the stream `offset` counts in; it changes when the server's history of the topic restarted. */
  epoch?: string;
}

export type MessageHandler<T> = (data: T, message: TopicMessage<T>) => void;
