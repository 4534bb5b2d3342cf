#!/usr/bin/env node
/**
 * Checks the packages as npm would ship them: every package is packed with `pnpm pack` (after
 * `pnpm build`) and each tarball must pass
 *
 *   1. `publint --strict`;
 *   2. `attw` (@arethetypeswrong/cli) with the `node16` profile: node16 from ESM and from CJS, and
 *      bundler. node10 resolution (`moduleResolution: node`) is not supported for subpath exports
 *      (`@firetower/server/testing`, `@firetower/client/browser`): the README says so;
 *   3. our own rules: a LICENSE, repository/homepage/bugs, only the "files" entries shipped (no
 *      sources, tests or configs), every source map self-contained
 *      (`sourcesContent` for every source, since `src` is not shipped) and every
 *      `sourceMappingURL` pointing at a shipped file, every relative README link pointing at a
 *      shipped file or an absolute URL (warnings for now: npm cannot resolve `../` links);
 *   4. a consumer project (scripts/type-test) compiled against the tarballs' .d.ts files with
 *      TypeScript 5.4 (the oldest we support: the declarations use NoInfer) and the current one,
 *      under `node16` and `bundler` resolution, with `skipLibCheck: false`;
 *   5. the root README's first app (examples/first-app: server.mjs, then client.mjs) run with the
 *      packed packages: the Node client's publish comes back to it, and the server serves the
 *      browser bundle.
 *
 * Offline: the tarballs are unpacked into a temporary node_modules and their third-party
 * dependencies are linked from the workspace's own installs.
 *
 *   node scripts/check-packages.mjs            all packages
 *   node scripts/check-packages.mjs --keep     keep the temporary directory (its path is printed)
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const PACKAGES = ['protocol', 'client', 'server', 'topic-service', 'redis', 'grpc'];
/**
 * Entry points attw should not judge as modules: they are files, not code to import.
 * - client `./browser` is the `<script>` bundle (an IIFE): its module format is moot.
 * - grpc `./firetower.proto` is the service definition for other languages.
 */
const ATTW_EXCLUDE = { client: ['browser'], grpc: ['firetower.proto'] };
/**
 * How the consumer is compiled: the oldest supported TypeScript under every resolution users
 * meet, the current one (the repo's own, which also typechecks the sources) under one.
 */
const TSC_54 = join(ROOT, 'node_modules', 'typescript54', 'bin', 'tsc');
const TSC_CURRENT = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const COMPILES = [
  { ts: 'TypeScript 5.4', tsc: TSC_54, module: 'Node16', moduleResolution: 'Node16', type: 'module' },
  { ts: 'TypeScript 5.4', tsc: TSC_54, module: 'Node16', moduleResolution: 'Node16', type: 'commonjs' },
  { ts: 'TypeScript 5.4', tsc: TSC_54, module: 'ESNext', moduleResolution: 'Bundler', type: 'module' },
  { ts: 'TypeScript (current)', tsc: TSC_CURRENT, module: 'Node16', moduleResolution: 'Node16', type: 'module' },
];
/** Two cores: two checkers at a time. */
const CONCURRENCY = 2;

const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'firetower-packages-'));
const failures = [];
const warnings = [];
const fail = (pkg, message) => failures.push(`${pkg}: ${message}`);
const log = (line) => console.log(`[check-packages] ${line}`);

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

const execFileAsync = promisify(execFile);

/** Runs a checker; on failure records its output (stdout and stderr) instead of throwing. */
async function check(pkg, what, command, args) {
  try {
    await execFileAsync(command, args, { encoding: 'utf8' });
    return true;
  } catch (error) {
    fail(pkg, `${what} failed:\n${[error.stdout, error.stderr].filter(Boolean).join('\n').trim()}`);
    return false;
  }
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

function checkOwnRules(pkg, unpacked) {
  const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
  const files = new Set(filesUnder(unpacked));
  if (!files.has('LICENSE')) fail(pkg, 'no LICENSE in the tarball');
  if (manifest.license !== 'MIT') fail(pkg, `license is ${manifest.license}, not MIT`);
  for (const field of ['repository', 'homepage', 'bugs']) if (!manifest[field]) fail(pkg, `no "${field}" field`);
  if (!manifest.engines?.node) fail(pkg, 'no engines.node');
  for (const [field, deps] of Object.entries({ dependencies: manifest.dependencies, peerDependencies: manifest.peerDependencies })) {
    for (const [name, range] of Object.entries(deps ?? {})) if (String(range).startsWith('workspace:')) fail(pkg, `${field}.${name} still says ${range}`);
  }

  // `files` ships what users need and nothing else: no sources, tests or configs.
  const shipped = new Set(['package.json', 'README.md', 'LICENSE', ...(manifest.files ?? [])]);
  for (const file of files) {
    const top = file.split('/')[0];
    if (!shipped.has(top) && !shipped.has(file)) fail(pkg, `${file} is in the tarball but not in "files"`);
  }
  for (const entry of manifest.files ?? [])
    if (![...files].some((file) => file === entry || file.startsWith(`${entry}/`))) fail(pkg, `"files" names ${entry}, which is not in the tarball`);
  for (const file of files) if (/(^|\/)(src|test)\//.test(file) || /\.test\.|tsconfig|tsup\.config/.test(file)) fail(pkg, `${file} should not ship`);

  for (const file of files) {
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(unpacked, file), 'utf8'));
      const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== 'string');
      if (missing.length > 0) fail(pkg, `${file} points at sources it does not embed (${missing.slice(0, 3).join(', ')})`);
    }
    if (/\.(c|m)?js$/.test(file)) {
      const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(unpacked, file), 'utf8'));
      if (match && !match[1].startsWith('data:') && !files.has(join(dirname(file), match[1]))) {
        fail(pkg, `${file} names a source map that is not shipped (${match[1]})`);
      }
    }
  }

  // npm shows the README without the repository around it: a relative link must name a shipped file.
  const readme = readFileSync(join(unpacked, 'README.md'), 'utf8');
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^([a-z]+:|#)/i.test(target)) continue;
    const path = target.split('#')[0];
    if (!files.has(join(path)) && !files.has(join(path, 'README.md'))) warnings.push(`${pkg}: README links to ${target}, which is not in the tarball`);
  }
  return manifest;
}

/** node_modules/<name> in `into`, linked to the copy `fromDir` resolves (the workspace's install). */
function linkDependency(name, fromDirs, into) {
  const target = join(into, 'node_modules', name);
  if (existsSync(target)) return;
  for (const from of fromDirs) {
    const source = join(from, 'node_modules', name);
    if (existsSync(source)) {
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(realpathSync(source), target, 'dir');
      return;
    }
  }
}

function typeTest(manifests) {
  const project = join(work, 'consumer');
  mkdirSync(join(project, 'node_modules', '@firetower'), { recursive: true });
  for (const [pkg, { dir }] of Object.entries(manifests)) cpSync(dir, join(project, 'node_modules', '@firetower', pkg), { recursive: true });
  // Third-party packages the declarations (or the consumer) import, from the workspace's installs.
  const wanted = new Set(['express', '@types/express', 'ws', '@types/ws', '@types/node', 'vitest']);
  for (const { manifest } of Object.values(manifests)) {
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) if (!name.startsWith('@firetower/')) wanted.add(name);
    for (const name of Object.keys(manifest.devDependencies ?? {})) if (name.startsWith('@types/')) wanted.add(name);
  }
  const sources = [ROOT, ...PACKAGES.map((pkg) => join(ROOT, 'packages', pkg)), join(ROOT, 'demo-chat')];
  for (const name of wanted) linkDependency(name, sources, project);

  // One directory per compile (package.json `type` differs), sharing the node_modules above.
  const jobs = COMPILES.map(({ ts, tsc, module, moduleResolution, type }, index) => async () => {
    const dir = join(project, `compile-${index}`);
    mkdirSync(dir);
    cpSync(join(ROOT, 'scripts', 'type-test', 'consumer.ts'), join(dir, 'consumer.ts'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${index}`, private: true, type }));
    const compilerOptions = {
      target: 'ES2022',
      module,
      moduleResolution,
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      esModuleInterop: true,
      types: ['node'],
      lib: ['ES2022', 'DOM'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    const label = `${ts}, ${moduleResolution}${moduleResolution === 'Node16' ? ` from ${type === 'module' ? 'ESM' : 'CJS'}` : ''}`;
    let output = '';
    try {
      await execFileAsync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (error) {
      output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    }
    // skipLibCheck is off so our declarations are checked; errors inside third-party typings
    // (linked from the workspace's .pnpm store, e.g. grpc-js's generated files under Bundler
    // resolution) are theirs, not ours, and are left out.
    const ours = output.split('\n').filter((line) => /error TS/.test(line) && !line.includes('node_modules/.pnpm/'));
    if (ours.length > 0) fail('type test', `${label}:\n${ours.join('\n')}`);
    else log(`type test: ${label}: ok`);
  });
  return pool(jobs);
}

/** `node <file>` in `cwd`; `output()` is what it printed so far. */
function start(file, cwd, env) {
  const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  return { child, output: () => text };
}

/** Resolves once `check()` is true; rejects after `timeoutMs` with `what` and the process's output. */
async function until(check, timeoutMs, what, output) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; it printed:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // polling a deadline, not synchronising on time
  }
}

async function firstApp(project) {
  const app = join(project, 'first-app');
  mkdirSync(app);
  for (const file of ['server.mjs', 'client.mjs']) cpSync(join(ROOT, 'examples', 'first-app', file), join(app, file));
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = probe.address().port;
  await new Promise((resolve) => probe.close(resolve));

  const server = start('server.mjs', app, { PORT: String(port) });
  let client;
  try {
    await until(() => server.output().includes(`open http://localhost:${port}`), 10_000, 'server.mjs to start', server.output);
    const bundle = await fetch(`http://127.0.0.1:${port}/firetower/client.js`);
    if (!bundle.ok || !(await bundle.text()).includes('Firetower')) fail('first app', `GET /firetower/client.js answered ${bundle.status}`);
    client = start('client.mjs', app, { PORT: String(port) });
    await until(() => /hello from Node/.test(client.output()), 10_000, 'client.mjs to receive its own publish', client.output);
    log('first app (README, packed packages): server.mjs serves the bundle, client.mjs publishes and receives: ok');
  } catch (error) {
    fail('first app', error.message);
  } finally {
    for (const { child } of [client, server].filter(Boolean)) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** Runs async jobs, CONCURRENCY at a time. */
async function pool(jobs) {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (queue.length > 0) await queue.shift()();
    }),
  );
}

try {
  const packed = join(work, 'tarballs');
  const manifests = {};
  // pnpm pack one at a time (cheap); the checkers, which are not, two at a time.
  const jobs = PACKAGES.map((pkg) => {
    const destination = join(packed, pkg);
    mkdirSync(destination, { recursive: true });
    run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(ROOT, 'packages', pkg) });
    const tarball = join(destination, readdirSync(destination)[0]);
    const unpacked = join(work, 'unpacked', pkg);
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    manifests[pkg] = { dir: unpacked, manifest: checkOwnRules(pkg, unpacked) };
    return async () => {
      const publint = await check(pkg, 'publint --strict', join(BIN, 'publint'), ['--strict', tarball]);
      const exclude = ATTW_EXCLUDE[pkg] ? ['--exclude-entrypoints', ...ATTW_EXCLUDE[pkg]] : [];
      const attw = await check(pkg, 'attw', join(BIN, 'attw'), [tarball, '--profile', 'node16', '--format', 'ascii', ...exclude]);
      const { name, version } = manifests[pkg].manifest;
      log(`${pkg}: packed ${name}@${version}; publint ${publint ? 'ok' : 'FAILED'}, attw ${attw ? 'ok' : 'FAILED'}`);
    };
  });
  const versions = new Set(Object.values(manifests).map(({ manifest }) => manifest.version));
  if (versions.size !== 1) fail('versions', `the packages are not released together: ${[...versions].join(', ')}`);
  await pool([...jobs, () => typeTest(manifests)]);
  await firstApp(join(work, 'consumer'));
} finally {
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

for (const warning of warnings) console.warn(`[check-packages] warning: ${warning}`);
if (failures.length > 0) {
  for (const failure of failures) console.error(`[check-packages] FAILED ${failure}`);
  process.exit(1);
}
log('every package is ready to publish');
