import { describe, expect, it } from 'vitest';
import { newClientId } from '../src/core/client-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newClientId', () => {
  it('makes random version 4 UUIDs, unique across refills of its entropy batch', () => {
    const ids = Array.from({ length: 1000 }, () => newClientId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in the random positions', () => {
    const digits = new Set(Array.from({ length: 200 }, () => newClientId().replace(/-/g, '')).join(''));
    expect([...digits].sort().join('')).toBe('0123456789abcdef');
  });
});
