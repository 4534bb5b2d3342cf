import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The message types in src/generated are what proto-loader-gen-types makes of proto/firetower.proto today. */
const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const GENERATED = join(PACKAGE, 'src/generated');

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return found;
}

describe('generated message types', () => {
  it('are up to date with proto/firetower.proto (run `pnpm -C packages/grpc gen:types`)', () => {
    const out = mkdtempSync(join(tmpdir(), 'ft-proto-types-'));
    execFileSync(process.execPath, [join(PACKAGE, 'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'), ...GEN_ARGS, '--outDir', out], {
      cwd: PACKAGE,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const fresh = files(out);
    const committed = files(GENERATED);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [name, text] of fresh) expect(committed.get(name), name).toBe(text);
  });
});

/** The same arguments as the package's gen:types script. */
const GEN_ARGS = [
  'firetower.proto',
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
  '--grpcLib=@grpc/grpc-js',
  '-I',
  'proto',
];
