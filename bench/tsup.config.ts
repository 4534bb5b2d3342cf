import { defineConfig } from 'tsup';

// One bundle per process the harness starts: the orchestrator, the load generator (main thread and
// worker), and one server per target. The workspace packages stay external: the firetower targets
// load their built dist, exactly what a user installs.
export default defineConfig({
  entry: {
    run: 'src/run.ts',
    'loadgen/main': 'src/loadgen/main.ts',
    'loadgen/worker': 'src/loadgen/worker.ts',
    'servers/ws-raw': 'src/servers/ws-raw.ts',
    'servers/socketio': 'src/servers/socketio.ts',
    'servers/firetower': 'src/servers/firetower.ts',
    'servers/collect-on-signal': 'src/servers/collect-on-signal.ts',
    'servers/loop-delay': 'src/servers/loop-delay.ts',
    'profile-summary': 'src/profile-summary.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
  external: [/^@firetower\//],
});
