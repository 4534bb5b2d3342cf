import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // The protocol is bundled in: the only runtime dependency stays eventemitter3.
    noExternal: ['@firetower/protocol'],
    dts: { resolve: ['@firetower/protocol'] },
    sourcemap: true,
    clean: true,
    target: 'es2020',
  },
  {
    // One file a plain <script> tag loads: window.Firetower.
    entry: { firetower: 'src/browser.ts' },
    format: ['iife'],
    globalName: 'Firetower',
    // esbuild's global is the module namespace ({ default }); unwrap it so a page writes
    // `new Firetower(url)` (the class carries the rest: Firetower.FiretowerError, ...).
    footer: { js: 'Firetower = Firetower.default;' },
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    platform: 'browser',
    target: 'es2020',
  },
]);
