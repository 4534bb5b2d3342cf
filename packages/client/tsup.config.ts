import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // The protocol is bundled in: the only runtime dependency stays eventemitter3.
    noExternal: ['@firetower/protocol'],
    dts: { resolve: ['@firetower/protocol'] },
    tsconfig: 'tsconfig.build.json',
    sourcemap: true,
    // No `clean`: both builds run at once and a clean could remove the other's output (the build
    // script empties dist first).
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
