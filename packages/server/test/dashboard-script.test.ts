import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, typed by its use here
import { GENERATED, generatedModule } from '../scripts/dashboard-script.mjs';

describe("the dashboard's browser module", () => {
  it('type-checks against the feed types with DOM types (its own tsconfig)', () => {
    const configPath = fileURLToPath(new URL('../src/admin/dashboard/tsconfig.json', import.meta.url));
    const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, fileURLToPath(new URL('../src/admin/dashboard/', import.meta.url)));
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('is what the page serves: script.generated.ts is up to date (run scripts/dashboard-script.mjs)', () => {
    expect(readFileSync(GENERATED as string, 'utf8')).toBe((generatedModule as () => string)());
  });
});
