import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // The protocol package is bundled in, so users install one package.
  noExternal: ['@firetower/protocol'],
  dts: { resolve: ['@firetower/protocol'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
