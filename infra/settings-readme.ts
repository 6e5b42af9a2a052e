/**
 * The README's two settings tables, generated from the settings table (tasks/shared/settings.ts) and
 * the deployment's context keys (infra/config.ts); test/docs/readme.test.ts fails when the README
 * differs. `npx tsx infra/settings-readme.ts` rewrites them in README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingEntries } from '../tasks/shared/settings';
import { CONTEXT_KEYS } from './config';

const code = (text: string): string => (text.startsWith('(') ? text : `\`${text}\``);

/** The CDK context keys: `| key | default | meaning |`. */
export function contextTableMarkdown(): string {
  return [
    '| key | default | meaning |',
    '| --- | --- | --- |',
    ...CONTEXT_KEYS.map((key) => `| \`${key.key}\` | ${code(key.default)} | ${key.description} |`),
  ].join('\n');
}

/** The tasks' environment variables: `| variable | default | meaning |`. */
export function environmentTableMarkdown(): string {
  return [
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...settingEntries().map(
      ([, setting]) => `| \`${setting.env}\` | ${code(setting.docDefault ?? setting.default ?? '(none)')} | ${setting.doc} |`,
    ),
  ].join('\n');
}

/** The README with both tables replaced between their markers. */
export function withSettingsTables(readme: string): string {
  return replaceBetween(replaceBetween(readme, 'context-table', contextTableMarkdown()), 'environment-table', environmentTableMarkdown());
}

function replaceBetween(text: string, marker: string, content: string): string {
  const pattern = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`);
  if (!pattern.test(text)) throw new Error(`README.md has no <!-- ${marker}:start --> ... <!-- ${marker}:end --> section`);
  return text.replace(pattern, (_match, start: string, end: string) => `${start}${content}\n${end}`);
}

if (require.main === module) {
  const file = join(__dirname, '..', 'README.md');
  writeFileSync(file, withSettingsTables(readFileSync(file, 'utf8')));
}
