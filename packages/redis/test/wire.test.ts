/** The channel payload codec: no sockets, just strings. */
import { describe, expect, it } from 'vitest';
import { type ControlEnvelope, decodeControl, decodePresence, DeliveryCodec, encodeControl, historyExcludeSuffix, isPresenceEvent } from '../src/wire.js';

describe('DeliveryCodec', () => {
  const awkward = ['plain', 'with "quotes"', 'back\\slash', 'new\nline', '","', '"]', 'ünï✓', ''];

  it('round-trips origin, exclude and data text exactly', () => {
    for (const origin of awkward) {
      const codec = new DeliveryCodec(origin);
      for (const exclude of [undefined, ...awkward]) {
        for (const data of ['{"a":"b\\nc"}', '"x\\ny"', 'null', '[1,2]']) {
          const payload = codec.encode(exclude === undefined ? { topic: 't', data } : { topic: 't', data, exclude });
          expect(DeliveryCodec.decode(payload)).toEqual({ origin, exclude, data });
          expect(codec.isOwn(payload)).toBe(true);
        }
      }
    }
  });

  it('tells its own payloads from other nodes’, including prefix look-alikes', () => {
    const mine = new DeliveryCodec('node-1');
    for (const other of ['node-10', 'node-', 'node-1"', 'xnode-1']) {
      expect(mine.isOwn(new DeliveryCodec(other).encode({ topic: 't', data: '1' }))).toBe(false);
      expect(mine.isOwn(new DeliveryCodec(other).encode({ topic: 't', data: '1', exclude: 'c' }))).toBe(false);
    }
  });

  it('rejects malformed payloads instead of throwing', () => {
    for (const junk of ['', 'x', '\n1', '[1]\n1', '["a",2]\n1', '["a"\n1', '{"a":1}\n1', '["a","b","c"]\nx']) {
      const decoded = DeliveryCodec.decode(junk);
      if (decoded) expect(typeof decoded.origin).toBe('string');
    }
    expect(DeliveryCodec.decode('[1]\n1')).toBeUndefined();
    expect(DeliveryCodec.decode('["a",2]\n1')).toBeUndefined();
    expect(DeliveryCodec.decode('no newline')).toBeUndefined();
  });
});

describe('history deliveries (the header the append script builds)', () => {
  /** What HISTORY_APPEND publishes: `[offset,<JSON epoch><exclude suffix>]\n<data>`. */
  const scriptPayload = (offset: number, epoch: string, exclude: string | undefined, data: string) =>
    `[${offset},${JSON.stringify(epoch)}${historyExcludeSuffix(exclude)}]\n${data}`;

  it('decodes the position, exclude and data text exactly', () => {
    for (const exclude of [undefined, 'plain', 'with "quotes"', 'new\nline', 'ünï✓']) {
      for (const data of ['{"a":"b\\nc"}', 'null', '[1,2]']) {
        const payload = scriptPayload(42, 'AbC-_9xyz', exclude, data);
        expect(DeliveryCodec.decode(payload)).toEqual({ origin: '', exclude, data, position: { offset: 42, epoch: 'AbC-_9xyz' } });
      }
    }
  });

  it('is never taken for a node’s own echo, so the origin delivers it too', () => {
    const codec = new DeliveryCodec('node-1');
    expect(codec.isOwn(scriptPayload(1, 'e', undefined, '1'))).toBe(false);
  });

  it('rejects malformed history headers', () => {
    for (const junk of ['[1]\n1', '[0,"e"]\n1', '[1.5,"e"]\n1', '[1,2]\n1', '[1,"e",3]\n1', '[1,"e","x","y"]\n1', '[1,"e"\n1']) {
      expect(DeliveryCodec.decode(junk)).toBeUndefined();
    }
  });
});

describe('control envelopes', () => {
  it('round-trips every command and count notices', () => {
    const envelopes: ControlEnvelope[] = [
      { o: 'n', k: 'control', c: { kind: 'kickUser', userId: 'u', reason: 'r' } },
      { o: 'n', k: 'control', c: { kind: 'kickUser', userId: 'u' } },
      { o: 'n', k: 'control', c: { kind: 'unsubscribeUser', userId: 'u', topic: 't' } },
      { o: 'n', k: 'control', c: { kind: 'removeTopic', topic: 't' } },
      { o: 'n', k: 'control', c: { kind: 'sendTo', clientId: 'c', topic: 't', data: '{"a":1}', requestId: 'r', origin: 'n' } },
      { o: 'n', k: 'control', c: { kind: 'sendToUser', userId: 'u', topic: 't', data: 'null', requestId: 'r', origin: 'n' } },
      { o: 'm', k: 'control', c: { kind: 'reached', requestId: 'r', origin: 'n', nodeId: 'm', connections: 2 } },
      { o: '', k: 'counts', t: ['a', 'b'] },
    ];
    for (const envelope of envelopes) expect(decodeControl(encodeControl(envelope))).toEqual(envelope);
  });

  it('drops anything else', () => {
    for (const junk of [
      '',
      'null',
      '[]',
      '{}',
      '{"o":1,"k":"counts","t":[]}',
      '{"o":"n","k":"control","c":{"kind":"kickUser"}}',
      '{"o":"n","k":"counts","t":[1]}',
      '{"o":"n","k":"control","c":{"kind":"sendTo","clientId":"c","topic":"t","data":1,"requestId":"r","origin":"n"}}',
      '{"o":"n","k":"control","c":{"kind":"reached","requestId":"r","origin":"n","nodeId":"m","connections":"2"}}',
      '{"o":"n","k":"other"}',
    ]) {
      expect(decodeControl(junk)).toBeUndefined();
    }
  });
});

describe('presence events', () => {
  it('decodes what the presence scripts publish, cjson’s `{}` for an empty list included', () => {
    const payload = '{"m":2,"j":[["ada","{\\"name\\":\\"Ada\\"}"],["b\\/c","null"]],"l":{}}';
    expect(isPresenceEvent(payload)).toBe(true);
    expect(decodePresence('/room', payload)).toEqual({
      topic: '/room',
      joined: [
        { memberId: 'ada', info: '{"name":"Ada"}' },
        { memberId: 'b/c', info: 'null' },
      ],
      left: [],
      members: 2,
    });
    expect(decodePresence('t', '{"m":0,"j":[],"l":[["x","1"]]}')).toEqual({ topic: 't', joined: [], left: [{ memberId: 'x', info: '1' }], members: 0 });
  });

  it('is never taken for a delivery, and a delivery never for it', () => {
    const codec = new DeliveryCodec('{');
    expect(isPresenceEvent(codec.encode({ topic: 't', data: '{}' }))).toBe(false);
    expect(isPresenceEvent('[1,"e"]\n{}')).toBe(false);
    expect(codec.isOwn('{"m":0,"j":[],"l":[]}')).toBe(false);
  });

  it('drops malformed events instead of throwing', () => {
    for (const junk of [
      '{',
      '{}',
      '{"m":"1","j":[],"l":[]}',
      '{"m":-1,"j":[],"l":[]}',
      '{"m":1,"j":[["a"]],"l":[]}',
      '{"m":1,"j":[[1,"x"]],"l":[]}',
      '{"m":1,"j":{"a":1},"l":[]}',
    ]) {
      expect(decodePresence('t', junk)).toBeUndefined();
    }
  });
});
