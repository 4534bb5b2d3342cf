import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { clientBundleRoute } from '../src/http/client-bundle.js';

describe('the client bundle route', () => {
  it('serves a bundle installed under a dot-folder (pnpm: node_modules/.pnpm/…)', async () => {
    const dir = join(
      mkdtempSync(join(tmpdir(), 'ft-bundle-')),
      'node_modules',
      '.pnpm',
      '@firetower+client@0.2.0',
      'node_modules',
      '@firetower',
      'client',
      'dist',
    );
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'firetower.iife.js');
    writeFileSync(file, 'var Firetower = {};');
    const app = express();
    app.get(
      '/client.js',
      clientBundleRoute(() => file),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/client.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(await res.text()).toBe('var Firetower = {};');
    } finally {
      server.close();
    }
  });
});
