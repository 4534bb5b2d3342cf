import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@firetower/server/testing';

const SERVER = fileURLToPath(new URL('./fixtures/fd-limit-server.mjs', import.meta.url));

let child: ChildProcess | undefined;
afterEach(() => void child?.kill('SIGKILL'));

function open(url: string): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', () => resolve(undefined));
    ws.once('close', () => resolve(undefined));
  });
}

describe('running out of file descriptors', () => {
  it('warns through onError before the limit (the OS drops connections past it silently), does not crash, and accepts again once connections close', async () => {
    // The built server (dist) under a soft limit of 48 descriptors: Node itself takes about 20.
    child = spawn('bash', ['-c', `ulimit -n 48 && exec "${process.execPath}" "${SERVER}"`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let exited = false;
    child.on('exit', () => (exited = true));
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => /port=\d+/.test(out), 10_000, 'server listening');
    const url = `ws://127.0.0.1:${/port=(\d+)/.exec(out)![1]}/ws`;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < 60; i++) {
      const ws = await open(url);
      if (ws) sockets.push(ws);
    }
    expect(sockets.length).toBeLessThan(60);
    await waitFor(() => out.includes('error fd_limit'), 10_000, 'a warning');
    expect(out).toMatch(/error fd_limit \d+ connections open and the process may open at most 48 files: .*ulimit -n/);
    // Reported once, not once per connection past the warning level.
    expect(out.match(/error fd_limit/g)).toHaveLength(1);
    expect(exited).toBe(false);
    for (const ws of sockets) ws.terminate();
    await waitFor(
      async () => {
        const again = await open(url);
        again?.terminate();
        return again !== undefined;
      },
      10_000,
      'a connection accepted again',
    );
    expect(exited).toBe(false);
  });
});
