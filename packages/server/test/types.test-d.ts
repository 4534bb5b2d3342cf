// Type tests: run by vitest typecheck (root config) and by `tsc --noEmit -p packages/server`.
import { expectTypeOf, test } from 'vitest';
import type { Express } from 'express';
import { CloseCode, firetower, FiretowerRefusal, memoryBroker, type Broker, type FiretowerApi, type FiretowerMiddleware, type Tower } from '@firetower/server';

interface ChatData {
  name: string;
}

test('firetower() is an Express app and the API, typed by the app data', () => {
  const ft = firetower<ChatData>({
    broker: memoryBroker(),
    hooks: {
      authenticate: () => ({ userId: 'u', data: { name: 'ann' } }),
      onConnect: (tower) => {
        expectTypeOf(tower).toEqualTypeOf<Tower<ChatData>>();
        expectTypeOf(tower.data.name).toBeString();
      },
      onMessage: async (tower, message) => ({ data: { text: message.data, from: tower.data.name } }),
      beforeSubscribe: (_tower, topics) => ({ allow: topics }),
    },
  });
  expectTypeOf(ft).toEqualTypeOf<FiretowerMiddleware<ChatData>>();
  expectTypeOf(ft).toExtend<Express>();
  expectTypeOf(ft).toExtend<FiretowerApi<ChatData>>();
  expectTypeOf(ft.broker).toEqualTypeOf<Broker>();
  expectTypeOf(ft.count).returns.toEqualTypeOf<Promise<number>>();
  expectTypeOf(CloseCode.Kicked).toEqualTypeOf<4501>();
  expectTypeOf(new FiretowerRefusal('x', { status: 403 }).status).toEqualTypeOf<401 | 403>();
});
