/**
 * Two raw ws nodes sharing topics through Redis pub/sub: a node SUBSCRIBEs to a topic's channel
 * while it has local subscribers, and every publish goes out as the finished delivery frame, so a
 * receiving node fans it out without parsing.
 */
export interface TopicRelay {
  follow(topic: string): void;
  unfollow(topic: string): void;
  publish(topic: string, frame: string): void;
  close(): Promise<void>;
}

export async function createTopicRelay(url: string, deliver: (topic: string, frame: string) => void): Promise<TopicRelay> {
  // Loaded only here, so the single-node baselines do not carry node-redis (about 18 MB of RSS).
  const { createClient } = await import('redis');
  const pub = createClient({ url });
  const sub = pub.duplicate();
  pub.on('error', () => undefined);
  sub.on('error', () => undefined);
  await Promise.all([pub.connect(), sub.connect()]);
  const listener = (message: string, channel: string): void => deliver(channel, message);
  return {
    follow(topic) {
      void sub.subscribe(topic, listener);
    },
    unfollow(topic) {
      void sub.unsubscribe(topic, listener);
    },
    publish(topic, frame) {
      void pub.publish(topic, frame);
    },
    async close() {
      await Promise.allSettled([pub.close(), sub.close()]);
    },
  };
}
