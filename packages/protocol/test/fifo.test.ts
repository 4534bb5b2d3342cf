import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '@firetower/protocol';
import { fuzzParameters } from './hostile-frames.js';

/** Fifo behaves as a plain array used as a queue, whatever the sequence of operations. */
describe('Fifo', () => {
  it('matches an array model under any sequence of operations, across compactions', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ op: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ op: fc.constant('drop' as const), n: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ op: fc.constant('prepend' as const), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ op: fc.constant('remove' as const), n: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const fifo = new Fifo<number>();
        let model: number[] = [];
        let next = 0;
        for (const { op: kind, n } of ops) {
          if (kind === 'push') for (let i = 0; i < n; i++) (fifo.push(next), model.push(next++));
          if (kind === 'shift') for (let i = 0; i < n; i++) expect(fifo.shift()).toBe(model.shift());
          if (kind === 'drop') (fifo.drop(n), (model = model.slice(n)));
          if (kind === 'prepend') {
            const items = Array.from({ length: n }, () => next++);
            fifo.prepend(items);
            model = [...items, ...model];
          }
          if (kind === 'remove' && model.length > 0) {
            const at = fifo.indexOf(model[Math.min(n, model.length - 1)]!);
            fifo.remove(at, 1);
            model.splice(at, 1);
          }
          expect(fifo.length).toBe(model.length);
          expect(fifo.at(0)).toBe(model[0]);
          expect(fifo.at(model.length - 1)).toBe(model[model.length - 1]);
        }
        expect(fifo.toArray()).toEqual(model);
      }),
      fuzzParameters(200),
    );
  });
});
