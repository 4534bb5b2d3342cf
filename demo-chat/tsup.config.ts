import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the library the browser tests import; main and cluster: `pnpm demo` / `pnpm demo:cluster`.
  entry: ['src/index.ts', 'src/main.ts', 'src/cluster.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
