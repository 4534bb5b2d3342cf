import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nextDelivery, subscriber, TOKEN, useStack } from './fixture.js';

// The built bin, run as its own process the way a user runs `npx firetower-push`.
const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: run \`pnpm --filter @firetower/grpc build\` first (the root \`pnpm test\` builds before testing)`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, FIRETOWER_ADMIN_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const stack = useStack();

describe('firetower-push (built dist, separate process)', () => {
  it('publishes JSON data that reaches a WebSocket subscriber', async () => {
    const ws = await subscriber(stack.node, ['/chat/world']);
    const result = await runCli(['--grpc', stack.grpc.address, '--token', TOKEN, '/chat/world', '{"text":"hi"}']);
    expect(result).toMatchObject({ code: 0, stdout: 'published to /chat/world\n' });
    expect(await nextDelivery(ws, '/chat/world')).toEqual({ text: 'hi' });
    await ws.close();
  });

  it('takes the token from $FIRETOWER_ADMIN_TOKEN and sends --text as a string', async () => {
    const ws = await subscriber(stack.node, ['/chat/text']);
    const result = await runCli(['--grpc', stack.grpc.address, '--text', '/chat/text', 'plain words'], { FIRETOWER_ADMIN_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(await nextDelivery(ws, '/chat/text')).toBe('plain words');
    await ws.close();
  });

  it('says "duplicate" when the idempotency key suppressed the delivery (issue 16), exit 0', async () => {
    const ws = await subscriber(stack.node, ['/chat/keyed']);
    const args = ['--grpc', stack.grpc.address, '--token', TOKEN, '--key', 'order-42', '/chat/keyed'];
    const first = await runCli([...args, '"first"']);
    expect(first).toMatchObject({ code: 0, stdout: 'published to /chat/keyed\n' });
    const retry = await runCli([...args, '"retry"']);
    expect(retry).toMatchObject({ code: 0, stdout: 'duplicate (suppressed by idempotency key "order-42"): not delivered again to /chat/keyed\n' });
    await runCli(['--grpc', stack.grpc.address, '--token', TOKEN, '/chat/keyed', '"after"']);
    expect(await nextDelivery(ws, '/chat/keyed')).toBe('first');
    expect(await nextDelivery(ws, '/chat/keyed')).toBe('after');
    await ws.close();
  });

  it('exits 1 with the gRPC status on a wrong token or invalid JSON', async () => {
    const refused = await runCli(['--grpc', stack.grpc.address, '--token', 'wrong', '/chat/world', '{}']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not authorized \(gRPC status 16\)/);
    const invalid = await runCli(['--grpc', stack.grpc.address, '--token', TOKEN, '/chat/world', '{oops']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/data_json is not valid JSON.*\(gRPC status 3\)/);
  });

  it('exits 2 with the usage on bad arguments, 0 with --help', async () => {
    const missing = await runCli(['/chat/world']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --grpc/);
    expect(missing.stderr).toMatch(/^usage: firetower-push/m);
    const unknown = await runCli(['--grpc', '127.0.0.1:1', '--nope', '/x']);
    expect(unknown.code).toBe(2);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: firetower-push/);
  });
});
