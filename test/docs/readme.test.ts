// The README against the code: the item schema against the ImageItem type, the cost table against
// the cost model's output, the settings tables against the settings table (tasks/shared/settings.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { costPerThousandImages, costTableMarkdown } from '../../bench/cost-model';
import { CONTEXT_KEYS } from '../../infra/config';
import { contextTableMarkdown, environmentTableMarkdown } from '../../infra/settings-readme';
import { settingEntries } from '../../tasks/shared/settings';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The rows of the Markdown table that follows `heading`, as arrays of cell texts. */
function tableAfter(heading: string): string[][] {
  const section = readme.slice(readme.indexOf(heading));
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** The property names of an interface in a source file, read with the TypeScript compiler. */
function interfaceProperties(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let names: string[] = [];
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      names = node.members.filter(ts.isPropertySignature).map((member) => member.name.getText(source));
    }
  });
  return names;
}

describe('README', () => {
  it('documents every attribute of ImageItem in "The item", and nothing else', () => {
    // Prepare
    const documented = tableAfter('## The item').flatMap(([cell]) => [...cell.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    const declared = interfaceProperties(join(ROOT, 'tasks', 'shared', 'types.ts'), 'ImageItem');

    // Assess
    expect(declared.length).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...declared].sort());
  });

  it('shows the cost table that the cost model computes from the definition', async () => {
    // Act
    const table = costTableMarkdown(await costPerThousandImages());

    // Assess
    const between = /<!-- cost-table:start -->\n([\s\S]*?)\n<!-- cost-table:end -->/.exec(readme);
    expect(between?.[1]).toBe(table);
  });

  it('prices what a deployment bills besides requests: index writes, log ingestion, X-Ray traces and Lambda INIT', async () => {
    // Act
    const items = (await costPerThousandImages()).map((line) => line.item);

    // Assess
    expect(items).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DynamoDB byStatus index writes/),
        expect.stringMatching(/^CloudWatch Logs ingestion/),
        expect.stringMatching(/^X-Ray traces/),
        expect.stringMatching(/^Lambda INIT/),
      ]),
    );
  });

  it.each([
    ['context-table', contextTableMarkdown],
    ['environment-table', environmentTableMarkdown],
  ])('shows the %s generated from the settings table (npx tsx infra/settings-readme.ts)', (marker, table) => {
    // Act
    const between = new RegExp(`<!-- ${marker}:start -->\\n([\\s\\S]*?)\\n<!-- ${marker}:end -->`).exec(readme);

    // Assess
    expect(between?.[1]).toBe(table());
  });

  it('lists every context key the app reads, each setting of the table under its variable', () => {
    // Prepare
    const contextKeys = tableAfter('<!-- context-table:start -->').map(([key]) => key.replace(/`/g, ''));
    const variables = tableAfter('<!-- environment-table:start -->').map(([name]) => name.replace(/`/g, ''));

    // Assess
    expect(contextKeys).toEqual(CONTEXT_KEYS.map((k) => k.key));
    expect(contextKeys).toEqual(expect.arrayContaining(['uploadPrefix', 'maxImageBytes', 'stackName', 'alarmEmail']));
    expect(variables).toEqual(settingEntries().map(([, setting]) => setting.env));
  });

  it('starts with the two commands: run and test', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npx picflow analyze test/fixtures/images/astronaut.png');
    expect(firstBlock).toContain('npm test');
  });
});
