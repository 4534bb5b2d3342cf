import { defineConfig } from 'tsup';

// Two builds (the CLI gets a shebang banner, the library must not); `pnpm build` empties dist
// first because two parallel builds cannot both use `clean`.

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // The protocol package is bundled in, so users install one package.
    // @firetower/server is a peer (only its types are imported): never bundled.
    external: ['@firetower/server'],
    noExternal: ['@firetower/protocol'],
    dts: { resolve: ['@firetower/protocol'] },
    // import.meta.url in the CJS build: proto.ts finds ../proto/ from the module's own URL.
    shims: true,
    sourcemap: true,
    target: 'es2022',
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    noExternal: ['@firetower/protocol'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    target: 'es2022',
  },
]);
