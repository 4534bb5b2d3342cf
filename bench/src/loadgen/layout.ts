/**
 * Who connects where, computed the same way by every worker from the plan alone, so no layout
 * travels between threads.
 *
 * Subscriber g (0..subscribers-1) holds topic g % topics and lives in worker g % workers.
 * Publisher p publishes on the topics t with t % publishers = p and lives in worker p % workers.
 * With several nodes, subscribers are split by topic when there are at least as many topics as
 * nodes (so a node with none of a topic's subscribers can show it gets none of its traffic), and
 * alternately within the topic otherwise. Publishers all use `publisherNode`.
 */
import type { LoadPlan } from '../types.js';

export interface SubscriberSlot {
  index: number;
  topic: number;
  node: number;
}

export interface PublisherSlot {
  index: number;
  topics: number[];
}

export function topicName(topic: number): string {
  return `/bench/${topic}`;
}

export function subscribersPerTopic(plan: LoadPlan): number {
  const { subscribers, topics } = plan.scenario;
  if (subscribers % topics !== 0) throw new Error(`subscribers (${subscribers}) must be a multiple of topics (${topics})`);
  return subscribers / topics;
}

export function publisherOfTopic(plan: LoadPlan, topic: number): number {
  return topic % plan.scenario.publishers;
}

export function subscriberSlots(plan: LoadPlan, worker: number): SubscriberSlot[] {
  const { subscribers, topics } = plan.scenario;
  const nodes = plan.nodeUrls.length;
  const slots: SubscriberSlot[] = [];
  for (let g = worker; g < subscribers; g += plan.workers) {
    const topic = g % topics;
    const node = topics >= nodes ? topic % nodes : Math.floor(g / topics) % nodes;
    slots.push({ index: g, topic, node });
  }
  return slots;
}

export function publisherSlots(plan: LoadPlan, worker: number): PublisherSlot[] {
  const { publishers, topics } = plan.scenario;
  const slots: PublisherSlot[] = [];
  for (let p = worker; p < publishers; p += plan.workers) {
    const mine: number[] = [];
    for (let t = p; t < topics; t += publishers) mine.push(t);
    slots.push({ index: p, topics: mine });
  }
  return slots;
}
