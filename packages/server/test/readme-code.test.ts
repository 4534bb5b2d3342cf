import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every TypeScript/JavaScript code block of every package README (and the admin API reference) is
 * type-checked against the packages' sources, so an example cannot drift from the API. The root
 * README's and the demo's blocks are files under examples/ that run in e2e; these are the rest.
 *
 * Many blocks are fragments that continue the page's first example (`app`, `ft`, `server` ...):
 * the CONTEXT below declares those names, and a block that declares a name itself keeps its own.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const READMES = [
  'packages/protocol/README.md',
  'packages/server/README.md',
  'packages/server/docs/admin.md',
  'packages/client/README.md',
  'packages/topic-service/README.md',
  'packages/redis/README.md',
  'packages/grpc/README.md',
];

/** What a fragment may use without declaring it: the page's running example. */
const CONTEXT: Array<[name: string, declaration: string]> = [
  ['app', 'declare const app: import("express").Express;'],
  ['ft', 'declare const ft: import("@firetower/server").FiretowerMiddleware;'],
  ['server', 'declare const server: import("node:http").Server;'],
  ['broker', 'declare const broker: import("@firetower/topic-service").TopicServiceBroker;'],
  ['client', 'declare const client: import("@firetower/grpc").PushClient;'],
  ['sessions', 'declare const sessions: Map<string, { id: string; name: string }>;'],
  ['presence', 'declare const presence: Map<string, number>;'],
  ['events', 'declare const events: unknown[];'],
  ['order', 'declare const order: { version: number };'],
  ['myBroker', 'declare function myBroker(): import("@firetower/server").Broker;'],
  ['firetower', 'import { firetower } from "@firetower/server";'],
  ['redisBroker', 'import { redisBroker } from "@firetower/redis";'],
  ['Firetower', 'import { Firetower } from "@firetower/client";'],
];

interface Block {
  file: string;
  line: number;
  code: string;
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(ROOT + file, 'utf8');
  const blocks: Block[] = [];
  const fence = /^```(ts|typescript|js|javascript)\n([\s\S]*?)^```/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    blocks.push({ file, line: text.slice(0, match.index).split('\n').length, code: match[2]! });
  }
  return blocks;
}

/** The block as a module: its imports first, then the context it does not declare itself. */
function moduleOf(block: Block): string {
  const lines = block.code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  const declared = (name: string): boolean =>
    new RegExp(`\\b(const|let|var|function|class|interface|type)\\s+${name}\\b|import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}|import\\s+${name}\\b`).test(block.code);
  const used = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(block.code);
  const context = CONTEXT.filter(([name]) => used(name) && !declared(name)).map(([, declaration]) => declaration);
  return [...imports, ...context, ...body, 'export {};'].join('\n');
}

const blocks = READMES.flatMap(blocksOf);

describe('README code blocks', () => {
  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(18);
  });

  it('every block type-checks against the packages', () => {
    // Beside the server's sources, so `express` and `ws` resolve from its dependencies.
    const files = new Map(blocks.map((block, i) => [`${ROOT}packages/server/readme-block-${i}.ts`, { block, source: moduleOf(block) }]));
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      allowJs: true,
      baseUrl: ROOT,
      paths: {
        '@firetower/protocol': ['packages/protocol/src/index.ts'],
        '@firetower/client': ['packages/client/src/index.ts'],
        '@firetower/server': ['packages/server/src/index.ts'],
        '@firetower/server/testing': ['packages/server/src/testing.ts'],
        '@firetower/topic-service': ['packages/topic-service/src/index.ts'],
        '@firetower/redis': ['packages/redis/src/index.ts'],
        '@firetower/grpc': ['packages/grpc/src/index.ts'],
      },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => files.get(name)?.source ?? readFile(name);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || fileExists(name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems: string[] = [];
    for (const [name, { block }] of files) {
      const source = program.getSourceFile(name)!;
      for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
        problems.push(`${block.file} (block at line ${block.line}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
