/**
 * Messages to one connection or to every connection of a user, anywhere in the cluster
 * (`ft.sendTo`, `ft.sendToUser`). They travel the broker's control path (no topic per user, no
 * per-user subscription): every node delivers to its own matching connections and answers the
 * origin with how many it reached; the origin sums the answers of the nodes it knows of.
 */
import { randomBytes } from 'node:crypto';
import type { Broker, DirectCommand, ReachedCommand } from '../broker/types.js';
import { FiretowerServerError, requireTopic } from '../errors.js';
import { withDeadline } from './settle.js';
import type { DirectResult } from '../types.js';

/** A connection a direct message can be written to. */
export interface DirectTarget {
  /** Write a delivery; throws on a bad topic or data (FiretowerServerError). */
  send(topic: string, data: unknown): boolean;
  /** Write a delivery whose data is JSON text already (a checked topic). */
  sendJson(topic: string, json: string): boolean;
}

/** What direct messages need of the node. */
export interface DirectHost {
  readonly nodeId: string;
  readonly broker: Broker;
  readonly maxTopicLength: number;
  serialise(data: unknown): string;
  /** This node's connection with this clientId. */
  connection(clientId: string): DirectTarget | undefined;
  /** This node's connections of a user. */
  connectionsOf(userId: string): DirectTarget[];
  reportError(error: unknown): void;
}

/** How long the origin waits for the other nodes' answers. */
export const DIRECT_ANSWER_TIMEOUT_MS = 2_000;
/** Ids longer than this are not ids (a clientId is at most 64 characters). */
const MAX_TARGET_LENGTH = 256;

interface PendingSend {
  connections: number;
  /** Nodes still to answer; undefined when the broker does not list its nodes (wait for the deadline). */
  waiting: Set<string> | undefined;
  finish(): void;
}

export class DirectMessages {
  private readonly pending = new Map<string, PendingSend>();

  constructor(private readonly host: DirectHost) {}

  /** `ft.sendTo`: a connection on this node is written to at once, else every node is asked. */
  sendTo(clientId: string, topic: string, data: unknown): Promise<DirectResult> {
    const local = typeof clientId === 'string' ? this.host.connection(clientId) : undefined;
    if (local === undefined) return this.send({ clientId }, topic, data);
    try {
      return Promise.resolve({ connections: local.send(topic, data) ? 1 : 0, complete: true });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Validate, then send through the broker and wait for the answers. */
  async send(target: { clientId: string } | { userId: string }, topic: string, data: unknown): Promise<DirectResult> {
    const id = 'clientId' in target ? target.clientId : target.userId;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_TARGET_LENGTH) {
      throw new FiretowerServerError(
        'invalid_target',
        `${'clientId' in target ? 'clientId' : 'userId'} must be a string of 1 to ${MAX_TARGET_LENGTH} characters`,
      );
    }
    requireTopic(topic, this.host.maxTopicLength);
    const json = this.host.serialise(data);
    const requestId = randomBytes(9).toString('base64url');
    const origin = this.host.nodeId;
    const command: DirectCommand =
      'clientId' in target
        ? { kind: 'sendTo', clientId: target.clientId, topic, data: json, requestId, origin }
        : { kind: 'sendToUser', userId: target.userId, topic, data: json, requestId, origin };
    const nodes = await this.knownNodes();
    return new Promise<DirectResult>((resolve, reject) => {
      const timer = setTimeout(() => entry.finish(), DIRECT_ANSWER_TIMEOUT_MS);
      const entry: PendingSend = {
        connections: 0,
        waiting: nodes,
        finish: () => {
          clearTimeout(timer);
          this.pending.delete(requestId);
          resolve({ connections: entry.connections, complete: entry.waiting !== undefined && entry.waiting.size === 0 });
        },
      };
      this.pending.set(requestId, entry);
      // The core applies the command on this node at the call (its answer lands at once).
      this.host.broker.control(command).catch((error: unknown) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** A direct command from any node (this one included): deliver here, answer the origin. */
  apply(command: DirectCommand): void {
    const connections = this.deliverHere(command);
    const answer: ReachedCommand = { kind: 'reached', requestId: command.requestId, origin: command.origin, nodeId: this.host.nodeId, connections };
    if (command.origin === this.host.nodeId) return this.reached(answer);
    this.host.broker.control(answer).catch((error: unknown) => this.host.reportError(error));
  }

  /** An answer; only the origin has the request. */
  reached(answer: ReachedCommand): void {
    if (answer.origin !== this.host.nodeId) return;
    const entry = this.pending.get(answer.requestId);
    if (entry === undefined) return;
    entry.connections += Math.max(0, Math.floor(answer.connections)) || 0;
    if (entry.waiting === undefined) return;
    entry.waiting.delete(answer.nodeId);
    if (entry.waiting.size === 0) entry.finish();
  }

  /** Write to this node's matching connections; returns how many took it. */
  private deliverHere(command: DirectCommand): number {
    const local = command.kind === 'sendTo' ? this.host.connection(command.clientId) : undefined;
    const targets = command.kind === 'sendTo' ? (local === undefined ? [] : [local]) : this.host.connectionsOf(command.userId);
    let reached = 0;
    for (const target of targets) if (target.sendJson(command.topic, command.data)) reached++;
    return reached;
  }

  /** Resolve every pending send with what it has (the node is closing). */
  close(): void {
    for (const entry of [...this.pending.values()]) entry.finish();
  }

  /** The nodes expected to answer: the broker's list when it keeps one, always including this node. */
  private async knownNodes(): Promise<Set<string> | undefined> {
    try {
      // Bounded: a broker that cannot say who is there must not hold the send forever.
      const status = await withDeadline(() => this.host.broker.status(), DIRECT_ANSWER_TIMEOUT_MS, 'broker status timed out');
      if (status.nodes === undefined) return undefined;
      const nodes = new Set(status.nodes.map((node) => node.nodeId));
      nodes.add(this.host.nodeId);
      return nodes;
    } catch {
      return undefined;
    }
  }
}
