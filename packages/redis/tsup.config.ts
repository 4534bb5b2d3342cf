import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // @firetower/server (peer) and redis stay external: the broker must share the server's
  // BrokerOverflowError class, and users pick their redis patch version.
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
