/**
 * What arrives on the subscriber connection, handed to the node: deliveries and presence events
 * on topic channels, control commands and count notices on the control channel. Called inside
 * node-redis's reply parser, so nothing may throw out of here: malformed traffic (another writer on
 * our channels) is dropped and logged.
 */
import createDebug from 'debug';
import type { BrokerMessage, BrokerNode } from '@firetower/server';
import type { RedisKeys } from './keys.js';
import { decodeControl, decodePresence, DeliveryCodec, isPresenceEvent } from './wire.js';

const debug = createDebug('firetower:redis');

export class Inbound {
  constructor(
    private readonly node: BrokerNode,
    private readonly codec: DeliveryCodec,
    private readonly keys: RedisKeys,
  ) {}

  readonly delivery = (payload: string, channel: string): void => {
    try {
      // A history publish's header names no origin, so it is never taken for an echo: it is
      // delivered here too, even on the node that published it. Presence events name none either.
      if (this.codec.isOwn(payload)) return;
      const topic = this.keys.topicOf(channel);
      if (topic !== undefined && isPresenceEvent(payload)) {
        const change = decodePresence(topic, payload);
        if (change === undefined) debug('dropped a malformed presence event on %s', channel);
        else this.node.presenceChanged?.(change);
        return;
      }
      const decoded = DeliveryCodec.decode(payload);
      if (topic === undefined || decoded === undefined) {
        debug('dropped a malformed delivery on %s', channel);
        return;
      }
      const message: BrokerMessage = { topic, data: decoded.data };
      if (decoded.exclude !== undefined) message.exclude = decoded.exclude;
      if (decoded.position !== undefined) message.position = decoded.position;
      this.node.deliver(message);
    } catch (error) {
      debug('delivery failed on %s: %O', channel, error);
    }
  };

  readonly control = (payload: string): void => {
    try {
      const envelope = decodeControl(payload);
      if (!envelope) {
        debug('dropped a malformed control message');
        return;
      }
      if (envelope.o === this.node.nodeId) return; // already applied locally at the call
      if (envelope.k === 'control') this.node.control(envelope.c);
      else this.node.countsChanged?.(envelope.t);
    } catch (error) {
      debug('control message failed: %O', error);
    }
  };
}
