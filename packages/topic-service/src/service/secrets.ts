import { createHash, timingSafeEqual } from 'node:crypto';

/** Compare secrets in constant time; hashing first hides the expected length too. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
