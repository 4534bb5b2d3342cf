import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the workspace packages from source, so no build is needed to run them; the
// processes tests spawn (topic-service CLI, bench) run the built dist.
export default defineConfig({
  resolve: {
    alias: {
      '@firetower/protocol': src('protocol'),
      '@firetower/server/testing': fileURLToPath(new URL('./packages/server/src/testing.ts', import.meta.url)),
      '@firetower/server': src('server'),
      '@firetower/client': src('client'),
      '@firetower/topic-service': src('topic-service'),
      '@firetower/redis': src('redis'),
      '@firetower/grpc': src('grpc'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'demo-chat/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: files run in parallel, but not so many that servers starve each other.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'] },
  },
});
