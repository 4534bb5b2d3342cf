import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { TopicServiceError } from '../errors.js';
import { PRESENCE_LIMITS, type ClaimsResponse, type HistoryResponse, type NodesResponse, type PresenceUpdateResponse, type TopicsResponse } from '../wire.js';
import type { TopicServiceCore } from './core.js';
import { sameSecret } from './secrets.js';
import { failInternal, guarded, safely, sendError, type ServiceErrorReporter } from './guard.js';
import {
  claimsBody,
  controlBody,
  countsBody,
  historyBody,
  leaveQuery,
  nodeIdParam,
  pollQuery,
  presenceBody,
  presenceListQuery,
  publishBody,
  registerBody,
  topicParam,
} from './schemas.js';

export interface RouterOptions {
  /**
   * Called with every unexpected error (a bug) and where it happened: that request is answered
   * `500 internal`, everything else carries on. @default the core's reporter (debug log)
   */
  onError?: ServiceErrorReporter;
  /** Shared secret: every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body in bytes. @default 8 MiB */
  maxBodyBytes?: number;
}

/** The header a node's requests carry its registration's session in. */
export const SESSION_HEADER = 'x-firetower-session';

function sessionOf(req: Request): string | undefined {
  const value = req.headers[SESSION_HEADER];
  return typeof value === 'string' ? value : undefined;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new TopicServiceError('bad_request', `invalid ${what}: ${where}${issue?.message ?? 'malformed'}`);
  }
  return result.data;
}

function tokenGuard(token: string) {
  const expected = `Bearer ${token}`;
  return (req: Request, res: Response, next: NextFunction): void => {
    // Both sides hashed before the constant-time compare: the expected length does not leak.
    if (sameSecret(req.headers.authorization ?? '', expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    sendError(res, 'unauthorized', 'missing or wrong bearer token', 401);
  };
}

/** A route handler with unexpected errors contained (answered `500 internal`) and reported. */
type Guard = (handler: (req: Request, res: Response) => void) => RequestHandler;

/** The `/v1` HTTP API over a core. Mount it at the app's root. */
export function createTopicServiceRouter(core: TopicServiceCore, options: RouterOptions = {}): Router {
  const router = express.Router();
  const report: ServiceErrorReporter = options.onError ?? ((error, where) => core.reportError(error, where));
  const guard: Guard = (handler) => guarded(report, handler);
  if (options.token) router.use(tokenGuard(options.token));
  router.use(express.json({ limit: options.maxBodyBytes ?? 8 * 1024 * 1024 }));

  router.get(
    '/healthz',
    guard((_req, res) => {
      res.status(core.running ? 200 : 503).json({ ok: core.running, nodes: core.nodeInfos().length });
    }),
  );
  // In this order (the more specific topic route ahead of `/v1/topics/:topic`), then the 404 and error answers.
  addNodeRoutes(router, core, guard);
  addSharedRoutes(router, core, guard);
  addPollRoute(router, core, guard, report);
  addReadRoutes(router, core, guard);
  addFallbacks(router, report);
  return router;
}

/** A registered node's writes under `/v1/nodes/:id` (and its registration): each names the node's session. */
function addNodeRoutes(router: Router, core: TopicServiceCore, guard: Guard): void {
  router.post(
    '/v1/nodes/register',
    guard((req, res) => {
      const { nodeId, epoch, previous } = parse(registerBody, req.body, 'register body');
      res.json(core.register(nodeId, epoch, previous));
    }),
  );

  router.delete(
    '/v1/nodes/:id',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const { epoch } = parse(leaveQuery, req.query, 'query');
      core.leave(nodeId, { epoch, session: sessionOf(req) });
      res.json({ ok: true });
    }),
  );

  router.post(
    '/v1/nodes/:id/counts',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const body = parse(countsBody, req.body, 'counts body');
      core.setCounts(nodeId, { epoch: body.epoch, session: sessionOf(req) }, body.changes, body.full ?? false);
      res.json({ ok: true });
    }),
  );

  router.post(
    '/v1/nodes/:id/presence',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const body = parse(presenceBody, req.body, 'presence body');
      const { refused } = core.setPresence(nodeId, { epoch: body.epoch, session: sessionOf(req) }, body.updates, body.full ?? false, body.complete ?? false);
      const answer: PresenceUpdateResponse = { ok: true, refused };
      res.json(answer);
    }),
  );

  router.post(
    '/v1/nodes/:id/publish',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const body = parse(publishBody, req.body, 'publish body');
      const outcome = core.publish(nodeId, { epoch: body.epoch, session: sessionOf(req) }, body.messages, body.keyTtlMs, body.seq);
      res.json({ ok: true, accepted: body.messages.length, ...outcome });
    }),
  );

  router.post(
    '/v1/nodes/:id/control',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const body = parse(controlBody, req.body, 'control body');
      res.json({ ok: true, ...core.control(nodeId, { epoch: body.epoch, session: sessionOf(req) }, body.command, body.seq) });
    }),
  );
}

/** Requests not tied to a node: idempotency-key claims and history reads. */
function addSharedRoutes(router: Router, core: TopicServiceCore, guard: Guard): void {
  // Not under /nodes/:id: any caller with the token may claim, registered or not.
  router.post(
    '/v1/claims',
    guard((req, res) => {
      const body = parse(claimsBody, req.body, 'claims body');
      const answer: ClaimsResponse = { fresh: core.claim(body.keys, body.ttlMs) };
      res.json(answer);
    }),
  );

  // Not under /nodes/:id either: a read of a topic's stream, for any caller with the token.
  router.post(
    '/v1/history',
    guard((req, res) => {
      const body = parse(historyBody, req.body, 'history body');
      const answer: HistoryResponse = core.history(body.topic, body.after ?? 0, body.limit, body.policy);
      res.setHeader('Cache-Control', 'no-store');
      res.json(answer);
    }),
  );
}

/** A node's long-poll: answered by the core now or later; the node going away frees its slot. */
function addPollRoute(router: Router, core: TopicServiceCore, guard: Guard, report: ServiceErrorReporter): void {
  router.get(
    '/v1/nodes/:id/poll',
    guard((req, res) => {
      const nodeId = parse(nodeIdParam, req.params.id, 'node id');
      const query = parse(pollQuery, req.query, 'poll query');
      res.setHeader('Cache-Control', 'no-store');
      const cancel = core.poll(nodeId, { epoch: query.epoch, session: sessionOf(req) }, query.ack ?? 0, query.wait ?? 0, {
        answer(status, json) {
          if (res.headersSent || res.destroyed) return;
          try {
            res.status(status).type('application/json').send(json);
          } catch (error) {
            failInternal(res, error, 'poll answer', report);
          }
        },
      });
      // The node gave up (aborted, timed out, died): free its poll slot so it can poll again.
      res.on('close', () => safely(report, 'poll release', cancel));
    }),
  );
}

/** Reads of the cluster: its nodes, its topics with their counts, a topic's members. */
function addReadRoutes(router: Router, core: TopicServiceCore, guard: Guard): void {
  router.get(
    '/v1/nodes',
    guard((_req, res) => {
      const body: NodesResponse = { nodes: core.nodeInfos() };
      res.json(body);
    }),
  );

  router.get(
    '/v1/topics',
    guard((_req, res) => {
      const body: TopicsResponse = { topics: core.topics() };
      res.json(body);
    }),
  );

  router.get(
    '/v1/topics/:topic/presence',
    guard((req, res) => {
      const topic = parse(topicParam, req.params.topic, 'topic');
      const { limit } = parse(presenceListQuery, req.query, 'presence query');
      res.setHeader('Cache-Control', 'no-store');
      res.json(core.presenceList(topic, limit ?? PRESENCE_LIMITS.maxListLimit));
    }),
  );

  router.get(
    '/v1/topics/:topic',
    guard((req, res) => {
      res.json(core.count(parse(topicParam, req.params.topic, 'topic')));
    }),
  );
}

/** What no route answered: a 404, and the errors routes threw mapped to the API's error codes. */
function addFallbacks(router: Router, report: ServiceErrorReporter): void {
  router.use((_req: Request, res: Response) => sendError(res, 'not_found', 'no such endpoint', 404));

  // Express 5 routes thrown errors here; body-parser errors carry `type`.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof TopicServiceError) return sendError(res, err.code, err.message, err.status);
    const type = (err as { type?: unknown } | null | undefined)?.type;
    if (type === 'entity.too.large') return sendError(res, 'payload_too_large', 'request body is too large', 413);
    if (type === 'entity.parse.failed') return sendError(res, 'bad_request', 'request body is not valid JSON', 400);
    const status = (err as { status?: unknown } | null | undefined)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, 'bad_request', err instanceof Error ? err.message.slice(0, 200) : 'bad request', status);
    }
    failInternal(res, err, `${_req.method} ${_req.path}`, report);
  });
}
