import type { EventEmitter } from 'eventemitter3';
import { serverError } from './errors.js';
import type { FiretowerEvents } from './events.js';
import type { Publisher } from './publisher.js';
import type { Requests } from './requests.js';
import type { ServerMessage } from './server-frames.js';
import type { TopicSync } from './topic-sync.js';
import type { TopicMessage } from './topics.js';

/**
 * Who each server frame is for. An ack or an error names the frame it answers by id, and only the
 * part that sent that id (the topic sync, a request, the publisher) claims it; the rest are
 * deliveries, presence and session news. Frames arrive here decoded, on the current connection.
 */

/**
 * Hands `frame` to the part it is for; `events` is the client, for `message` events and the
 * `error` events of errors no frame of ours waits for.
 */
export function routeFrame(frame: ServerMessage, topicSync: TopicSync, publisher: Publisher, requests: Requests, events: EventEmitter<FiretowerEvents>): void {
  switch (frame.type) {
    case 'heartbeat':
      return;
    case 'publish': {
      const message: TopicMessage = { topic: frame.topic, data: frame.data, ...frame.position };
      if (topicSync.deliver(message, frame.position)) events.emit('message', message);
      return;
    }
    case 'ack': {
      const { id } = frame;
      if (!topicSync.acknowledged(id, frame.refused, frame.streams) && !requests.answer(id, frame)) publisher.acknowledged(id, frame.duplicate);
      return;
    }
    case 'error': {
      const error = serverError(frame.code, frame.message, frame.topic);
      const { id } = frame;
      if (id !== undefined) {
        if (topicSync.failed(id, error) || publisher.failed(id, error) || requests.answer(id, undefined, error)) return;
      }
      events.emit('error', error);
      return;
    }
    case 'session':
      requests.expiresIn(frame.expiresInMs);
      return;
    case 'join':
    case 'leave':
      for (const subscriber of topicSync.registry.holdersOf(frame.topic)) subscriber.presenceEvent(frame.type, frame.member, frame.topic);
      return;
  }
}
