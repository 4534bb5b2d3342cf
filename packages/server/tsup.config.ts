import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts'],
  format: ['esm', 'cjs'],
  // The protocol package is bundled in, so users install one package.
  noExternal: ['@firetower/protocol'],
  // The test helpers use vitest; the app's own copy is the one that must run them.
  external: ['vitest'],
  dts: { resolve: ['@firetower/protocol'] },
  // import.meta.url (client bundle resolution) works in the CJS build too.
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
