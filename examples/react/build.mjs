// Bundles the example with esbuild: dist/browser.js for the page, dist/ssr.js for server.mjs.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const common = { bundle: true, jsx: 'automatic', sourcemap: true, logLevel: 'warning', absWorkingDir: fileURLToPath(new URL('.', import.meta.url)) };
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/browser.tsx'],
    outfile: 'dist/browser.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  }),
  build({
    ...common,
    entryPoints: ['src/ssr.tsx'],
    outfile: 'dist/ssr.js',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // react-dom/server and the client come from node_modules at run time, as in any Node app.
    packages: 'external',
  }),
]);
