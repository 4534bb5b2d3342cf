import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { jsonDepthExceeds } from '@firetower/protocol';
import type { FiretowerApi } from '../types.js';
import { AdminHttpError } from './errors.js';
import { readDirectBody, sendDirect } from './direct.js';
import { readHistory, readHistoryQuery } from './history.js';
import { readPresence, readPresenceQuery } from './presence.js';
import { connectionsSummary, sortedTopics, statsFeed } from './snapshots.js';
import { MAX_BODY_BYTES, optionalJsonObject, optionalString, readPublishBody, requireJsonObject, validTopic, validUserId } from './validate.js';

export interface ApiRouteOptions {
  maxTopicLength: number;
  /** Deepest `data` accepted (the client frames' `limits.maxJsonDepth`). */
  maxJsonDepth: number;
}

/** Levels a publish body adds around `data`: the body, `messages`, one message. */
const BODY_WRAPPER_DEPTH = 3;

const MAX_REASON_LENGTH = 120;
const MAX_TOPIC_LIST = 10_000;

/** Express 5 passes a rejected promise to the error handler; this keeps the handlers typed. */
type AsyncHandler = (req: Request, res: Response) => Promise<void> | void;
const handle =
  (fn: AsyncHandler): RequestHandler =>
  (req, res, next) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };

function methodNotAllowed(allowed: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Allow', allowed);
    next(new AdminHttpError(405, 'method_not_allowed', `use ${allowed}`));
  };
}

function isBrokerOverflow(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'broker_overflow';
}

function readLimit(raw: unknown): number {
  if (raw === undefined) return MAX_TOPIC_LIST;
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_TOPIC_LIST)) {
    throw new AdminHttpError(400, 'bad_request', `limit must be an integer from 1 to ${MAX_TOPIC_LIST}`);
  }
  return n;
}

/** `GET /presence`, `POST /send-to` and `POST /send-to-user`: presence and direct messages. */
function addPresenceAndSendRoutes<AppData>(router: Router, api: FiretowerApi<AppData>, options: ApiRouteOptions): void {
  router
    .route('/presence')
    .get(
      handle(async (req, res) => {
        const topic = readPresenceQuery(req.query, options.maxTopicLength);
        res.setHeader('Cache-Control', 'no-store');
        res.json(await readPresence(api, topic));
      }),
    )
    .all(methodNotAllowed('GET'));

  for (const [path, field] of [
    ['/send-to', 'clientId'],
    ['/send-to-user', 'userId'],
  ] as const) {
    router
      .route(path)
      .post(
        handle(async (req, res) => {
          const request = readDirectBody(requireJsonObject(req), field, options.maxTopicLength);
          res.status(200).json(await sendDirect(api, request));
        }),
      )
      .all(methodNotAllowed('POST'));
  }
}

/**
 * The JSON push API. Every operation goes through FiretowerApi, which is cluster-wide, so one
 * node and a cluster answer the same way; only `connections` is per node (connections live on one).
 */
export function createApiRoutes<AppData>(api: FiretowerApi<AppData>, options: ApiRouteOptions): Router {
  const router = express.Router();
  // Only application/json is parsed: a form or text/plain POST (what a cross-site page can send
  // without a preflight) never reaches a handler, which matters for cookie-based authorize().
  // The depth bound of client frames applies here too (plus the body's own wrapper levels), checked
  // on the raw text before anything walks the value: 50,000 levels are a 400, not a stack overflow.
  const maxDepth = options.maxJsonDepth + BODY_WRAPPER_DEPTH;
  router.use(
    express.json({
      limit: MAX_BODY_BYTES,
      type: 'application/json',
      strict: false,
      verify: (_req, _res, buffer) => {
        if (jsonDepthExceeds(buffer.toString(), maxDepth))
          throw Object.assign(new Error(`body is nested deeper than ${maxDepth} levels`), { status: 400, type: 'entity.verify.failed' });
      },
    }),
  );
  const topicParam = (req: Request): string => validTopic(req.params.topic, options.maxTopicLength, 'topic');

  router
    .route('/publish')
    .post(
      handle(async (req, res) => {
        const { batch, messages } = readPublishBody(requireJsonObject(req), options.maxTopicLength);
        let accepted = 0;
        let duplicates = 0;
        try {
          // In order, one at a time: the broker keeps per-topic order for one caller's publishes.
          for (const m of messages) {
            const result = await api.publish(m.topic, m.data, m.idempotencyKey ? { idempotencyKey: m.idempotencyKey } : undefined);
            accepted += 1;
            if (result.duplicate) duplicates += 1;
          }
        } catch (err) {
          if (!isBrokerOverflow(err)) throw err;
          res.setHeader('Retry-After', '1');
          throw new AdminHttpError(503, 'broker_overflow', 'the broker buffer is full; retry later', { accepted });
        }
        // `duplicates`: accepted publishes an idempotency key suppressed (not delivered again).
        res.status(202).json(batch ? { accepted, duplicates } : { accepted, topic: messages[0]!.topic, duplicate: duplicates === 1 });
      }),
    )
    .all(methodNotAllowed('POST'));

  router
    .route('/users/:userId/kick')
    .post(
      handle(async (req, res) => {
        const userId = validUserId(req.params.userId);
        const reason = optionalString(optionalJsonObject(req).reason, 'reason', MAX_REASON_LENGTH);
        // A WebSocket close reason must fit in 123 bytes, not characters.
        if (reason !== undefined && Buffer.byteLength(reason) > MAX_REASON_LENGTH) {
          throw new AdminHttpError(400, 'bad_request', `reason must be at most ${MAX_REASON_LENGTH} bytes`);
        }
        await api.kickUser(userId, reason);
        res.status(200).json({ userId, kicked: true });
      }),
    )
    .all(methodNotAllowed('POST'));

  const unsubscribe = async (res: Response, userId: string, topic: string): Promise<void> => {
    await api.unsubscribeUser(userId, topic);
    res.status(200).json({ userId, topic, unsubscribed: true });
  };
  router
    .route('/users/:userId/unsubscribe')
    .post(
      handle(async (req, res) => {
        const userId = validUserId(req.params.userId);
        await unsubscribe(res, userId, validTopic(requireJsonObject(req).topic, options.maxTopicLength));
      }),
    )
    .all(methodNotAllowed('POST'));
  router
    .route('/users/:userId/topics/:topic')
    .delete(handle((req, res) => unsubscribe(res, validUserId(req.params.userId), topicParam(req))))
    .all(methodNotAllowed('DELETE'));

  router
    .route('/topics')
    .get(
      handle(async (req, res) => {
        const limit = readLimit(req.query.limit);
        const topics = await sortedTopics(api);
        res.json({ topics: topics.slice(0, limit), total: topics.length });
      }),
    )
    .all(methodNotAllowed('GET'));

  router
    .route('/topics/:topic')
    .get(
      handle(async (req, res) => {
        const topic = topicParam(req);
        const [count, exists] = await Promise.all([api.count(topic), api.exists(topic)]);
        res.json({ topic, count, exists });
      }),
    )
    .delete(
      handle(async (req, res) => {
        const topic = topicParam(req);
        await api.removeTopic(topic);
        res.status(200).json({ topic, removed: true });
      }),
    )
    .all(methodNotAllowed('GET, DELETE'));

  router
    .route('/history')
    .get(
      handle(async (req, res) => {
        const query = readHistoryQuery(req.query, options.maxTopicLength);
        res.setHeader('Cache-Control', 'no-store');
        res.json(await readHistory(api, query));
      }),
    )
    .all(methodNotAllowed('GET'));

  addPresenceAndSendRoutes(router, api, options);

  router
    .route('/connections')
    .get((_req, res) => {
      res.json(connectionsSummary(api));
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/stats')
    .get(
      handle(async (req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await statsFeed(api, readLimit(req.query.limit ?? '50')));
      }),
    )
    .all(methodNotAllowed('GET'));

  router.use((req, _res, next) => {
    const hint =
      req.path.startsWith('/topics/') || req.path.startsWith('/users/')
        ? ' (URL-encode topics and userIds in the path: encodeURIComponent("/chat/world") is %2Fchat%2Fworld)'
        : '';
    next(new AdminHttpError(404, 'not_found', `no admin route ${req.method} ${req.baseUrl}${req.path}${hint}`));
  });
  return router;
}
