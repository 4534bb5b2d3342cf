/** Bearer-token and app-supplied checks for every Firetower call. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import createDebug from 'debug';
import { GrpcApiError } from './errors.js';
import type { AuthorizeContext, ResolvedOptions } from './options.js';

const debug = createDebug('firetower:grpc:auth');

// Hashing both sides first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison leaks neither the token's content nor its length.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerOf(metadata: Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1];
}

export type AuthCheck = (context: AuthorizeContext) => Promise<void>;

/** Resolves when the call may proceed; rejects with an `unauthenticated` GrpcApiError otherwise. */
export function createAuthCheck(options: Pick<ResolvedOptions, 'token' | 'authorize' | 'allowUnauthenticated'>): AuthCheck {
  const { token, authorize } = options;
  if (token === undefined && authorize === undefined) {
    if (options.allowUnauthenticated) return () => Promise.resolve();
    return () => Promise.reject(new GrpcApiError('unauthenticated', 'the push API has no token or authorize configured (allowUnauthenticated opens it)'));
  }
  const expected = token === undefined ? undefined : digest(token);

  return async (context) => {
    const presented = bearerOf(context.metadata);
    if (expected !== undefined && presented !== undefined && timingSafeEqual(expected, digest(presented))) return;
    if (authorize !== undefined) {
      let allowed = false;
      try {
        allowed = (await authorize(context)) === true;
      } catch (error) {
        debug('authorize threw for %s: %O', context.method, error);
      }
      if (allowed) return;
    }
    throw new GrpcApiError(
      'unauthenticated',
      expected !== undefined && presented === undefined && authorize === undefined ? 'missing authorization: Bearer <token> metadata' : 'not authorized',
    );
  };
}
