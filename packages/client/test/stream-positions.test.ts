/** The per-topic position rules on their own: what each delivery after a known position means. */
import { describe, expect, test } from 'vitest';
import { StreamPositions } from '../src/stream-positions.js';

const at = (offset: number, epoch: string): StreamPositions => {
  const positions = new StreamPositions();
  positions.acked('/t', { offset, epoch });
  return positions;
};

describe('StreamPositions.check', () => {
  test.each([
    ['the next offset', 5, 'E', 6, 'E', 'deliver'],
    ['the same offset', 5, 'E', 5, 'E', 'drop'],
    ['an older offset', 5, 'E', 1, 'E', 'drop'],
    ['a skipped offset', 5, 'E', 7, 'E', 'gap'],
    ['another epoch', 5, 'E', 6, 'F', 'gap'],
    ['offset 1 of another epoch', 5, 'E', 1, 'F', 'gap'],
    ["offset 1 after ('', 0)", 0, '', 1, 'F', 'deliver'],
    ["offset 2 after ('', 0)", 0, '', 2, 'F', 'gap'],
    ["offset 0 after ('', 0)", 0, '', 0, '', 'drop'],
  ] as const)('%s', (_name, lastOffset, lastEpoch, offset, epoch, verdict) => {
    expect(at(lastOffset, lastEpoch).check('/t', { offset, epoch })).toBe(verdict);
  });

  test('only a delivered message moves the position', () => {
    const positions = at(5, 'E');
    expect(positions.check('/t', { offset: 7, epoch: 'E' })).toBe('gap');
    expect(positions.since('/t')).toEqual({ offset: 5, epoch: 'E' });
    expect(positions.check('/t', { offset: 6, epoch: 'E' })).toBe('deliver');
    expect(positions.since('/t')).toEqual({ offset: 6, epoch: 'E' });
  });

  test('no position, or no last one yet: deliver (the first position is adopted)', () => {
    const positions = new StreamPositions();
    expect(positions.check('/t', undefined)).toBe('deliver');
    expect(positions.check('/t', { offset: 40, epoch: 'E' })).toBe('deliver');
    expect(positions.since('/t')).toEqual({ offset: 40, epoch: 'E' });
  });

  test('while a recovery is in flight everything is dropped, until the ack or the connection ends', () => {
    const positions = at(5, 'E');
    positions.recovering('/t');
    expect(positions.check('/t', { offset: 6, epoch: 'E' })).toBe('drop');
    positions.dropped();
    expect(positions.check('/t', { offset: 6, epoch: 'E' })).toBe('deliver');
    positions.recovering('/t');
    positions.acked('/t', { offset: 6, epoch: 'E' });
    expect(positions.check('/t', { offset: 7, epoch: 'E' })).toBe('deliver');
  });
});

describe('StreamPositions.since', () => {
  test('a position wins over a catch-up; an ack ends the catch-up; forget ends everything', () => {
    const positions = new StreamPositions();
    positions.wantCatchUp('/t', 3);
    expect(positions.since('/t')).toEqual({ limit: 3 });
    positions.acked('/t', { offset: 9, epoch: 'E' });
    expect(positions.since('/t')).toEqual({ offset: 9, epoch: 'E' });
    positions.acked('/t', undefined);
    expect(positions.since('/t')).toBeUndefined();
    positions.wantCatchUp('/t', 1);
    positions.forget('/t');
    expect(positions.since('/t')).toBeUndefined();
  });
});
