import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // @firetower/server is a peer (the broker imports BrokerOverflowError from it): never bundled.
    external: ['@firetower/server'],
    noExternal: ['@firetower/protocol'],
    dts: { resolve: ['@firetower/protocol'] },
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
  {
    // The standalone service: `firetower-topic-service` (bin). Imports no server code.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    external: ['@firetower/server'],
    sourcemap: true,
    clean: false,
    target: 'es2022',
  },
]);
