import type { TopicSubscriber } from './subscription.js';

/**
 * Which local subscriptions hold which topic. Only transitions matter to the server: `add`
 * returns the topics that got their first holder, `remove` the ones that lost their last.
 */
export class SubscriptionRegistry {
  // Assigned in the constructor; `declare` keeps the bundle from defining it (see client.ts).
  declare private readonly byTopic: Map<string, Set<TopicSubscriber>>;

  constructor() {
    this.byTopic = new Map();
  }

  add(subscriber: TopicSubscriber): string[] {
    const added: string[] = [];
    for (const topic of subscriber.topics) {
      let holders = this.byTopic.get(topic);
      if (!holders) {
        holders = new Set();
        this.byTopic.set(topic, holders);
        added.push(topic);
      }
      holders.add(subscriber);
    }
    return added;
  }

  remove(subscriber: TopicSubscriber): string[] {
    const removed: string[] = [];
    for (const topic of subscriber.topics) {
      const holders = this.byTopic.get(topic);
      if (!holders?.delete(subscriber) || holders.size > 0) continue;
      this.byTopic.delete(topic);
      removed.push(topic);
    }
    return removed;
  }

  /** A copy, so handlers may subscribe and unsubscribe while it is walked. */
  holdersOf(topic: string): TopicSubscriber[] {
    return [...(this.byTopic.get(topic) ?? [])];
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  subscribers(): Set<TopicSubscriber> {
    const all = new Set<TopicSubscriber>();
    for (const holders of this.byTopic.values()) for (const s of holders) all.add(s);
    return all;
  }
}
