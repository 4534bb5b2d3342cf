/**
 * The admin surface: HTTP push API, Prometheus metrics and the runtime dashboard. The middleware
 * mounts it under `prefix` when `options.admin` is set:
 *
 *   POST   /api/publish                       {topic, data} or {messages:[...]}   → 202
 *   POST   /api/users/:userId/kick            {reason?}
 *   POST   /api/users/:userId/unsubscribe     {topic}
 *   DELETE /api/users/:userId/topics/:topic
 *   GET    /api/topics  ·  GET|DELETE /api/topics/:topic  ·  GET /api/connections  ·  GET /api/stats
 *   GET    /api/history?topic=&limit=&sinceOffset=&sinceEpoch=   (topics with history)
 *   GET    /api/presence?topic=                                  (topics with presence)
 *   POST   /api/send-to       {clientId, topic, data}  ·  POST /api/send-to-user  {userId, topic, data}
 *   GET    /metrics     ·  GET /dashboard
 *
 * See docs/admin.md.
 */
import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { DEFAULT_LIMITS } from '@firetower/protocol';
import type { FiretowerApi, FiretowerOptions } from '../types.js';
import { createApiRoutes } from './api-routes.js';
import { DASHBOARD_COOKIE, DASHBOARD_COOKIE_MAX_AGE_S, requireAdmin } from './auth.js';
import { renderDashboardPage } from './dashboard-page.js';
import { AdminHttpError, jsonErrorHandler } from './errors.js';
import type { FiretowerMetrics } from './metrics.js';

export { AdminHttpError, type AdminErrorCode, type AdminErrorBody } from './errors.js';
export type { ConnectionsSummary, StatsFeed } from './snapshots.js';
export { MAX_BATCH_MESSAGES, MAX_BODY_BYTES } from './validate.js';

/** How often the dashboard polls its feed. */
export const DASHBOARD_INTERVAL_MS = 1000;

function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function createAdminRouter<AppData>(api: FiretowerApi<AppData>, options: FiretowerOptions<AppData>): Router {
  const admin = options.admin ?? {};
  const router = express.Router();
  const maxTopicLength = options.limits?.maxTopicLength ?? DEFAULT_LIMITS.maxTopicLength;
  const maxJsonDepth = options.limits?.maxJsonDepth ?? DEFAULT_LIMITS.maxJsonDepth;

  router.use('/api', requireAdmin(admin), createApiRoutes(api, { maxTopicLength, maxJsonDepth }));

  // Built on the first scrape, and prom-client loaded only then: an app that never scrapes pays
  // neither its start-up time nor the default process metrics' observers.
  let metrics: Promise<FiretowerMetrics> | undefined;
  const metricsAuth = admin.openMetrics ? [] : [requireAdmin(admin)];
  router.get('/metrics', ...metricsAuth, (_req, res, next) => {
    metrics ??= import('./metrics.js').then(({ createMetrics }) => createMetrics(api as FiretowerApi<unknown>));
    metrics
      .then(async (m) => {
        const text = await m.scrape();
        res.setHeader('Content-Type', m.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.send(text);
      })
      .catch(next);
  });

  // A browser navigation cannot send a Bearer header, so the page alone also takes `?token=`;
  // its script then sends the header on every feed request.
  router.get('/dashboard', requireAdmin(admin, 'header-or-query'), (req, res) => {
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', dashboardCsp(nonce));
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const token = req.query.token;
    if (typeof token === 'string' && token.length > 0) {
      // The script removes ?token= from the address bar and history; this cookie lets a reload in.
      res.cookie(DASHBOARD_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        path: req.baseUrl + req.path,
        maxAge: DASHBOARD_COOKIE_MAX_AGE_S * 1000,
        secure: req.secure,
      });
    }
    res.type('html').send(renderDashboardPage({ feedUrl: `${req.baseUrl}/api/stats`, nonce, intervalMs: DASHBOARD_INTERVAL_MS }));
  });

  for (const path of ['/metrics', '/dashboard']) {
    router.all(path, (_req, res, next) => {
      res.setHeader('Allow', 'GET');
      next(new AdminHttpError(405, 'method_not_allowed', 'use GET'));
    });
  }
  router.use('/api', jsonErrorHandler);
  router.use(['/metrics', '/dashboard'], jsonErrorHandler);
  return router;
}
