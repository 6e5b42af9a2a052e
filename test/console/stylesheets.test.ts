// The console's stylesheets (local/console/web/styles/): each parses without a complaint from esbuild's CSS parser (a lost
// or extra brace, a declaration outside a rule), none nests a rule in another, and index.css imports each exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, transformSync } from 'esbuild';

const STYLES = join(__dirname, '..', '..', 'local', 'console', 'web', 'styles');
const INDEX = join(STYLES, 'index.css');

function stylesheets(dir: string = STYLES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return stylesheets(path);
    return entry.name.endsWith('.css') ? [path] : [];
  });
}

/** esbuild's warnings for one stylesheet, as "file:line: text" (esbuild keeps going past a broken rule, warning). */
function complaints(path: string, css: string): string[] {
  const result = transformSync(css, { loader: 'css', logLevel: 'silent', sourcefile: relative(STYLES, path) });
  return result.warnings.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`);
}

/** The console uses no CSS nesting: a rule inside another is a closing brace gone missing (a bad merge, say). */
function nestsRules(css: string): boolean {
  const lowered = transformSync(css, { loader: 'css', logLevel: 'silent', supported: { nesting: false } }).code;
  const kept = transformSync(css, { loader: 'css', logLevel: 'silent', supported: { nesting: true } }).code;
  return lowered !== kept;
}

describe('The console stylesheets', () => {
  const files = stylesheets();

  it('parse without warnings: balanced braces, every declaration inside a rule', () => {
    // Prepare
    const sources = files.map((path) => ({ path, css: readFileSync(path, 'utf8') }));

    // Act
    const found = sources.flatMap(({ path, css }) => complaints(path, css));

    // Assess
    expect(sources.length).toBeGreaterThan(10);
    expect(found).toEqual([]);
  });

  it('nest no rule inside another', () => {
    // Act
    const nesting = files.filter((path) => nestsRules(readFileSync(path, 'utf8'))).map((path) => relative(STYLES, path));

    // Assess
    expect(nesting).toEqual([]);
  });

  it('are each imported once by index.css, which bundles without warnings', async () => {
    // Prepare
    const imports = [...readFileSync(INDEX, 'utf8').matchAll(/@import '\.\/([^']+)';/g)].map((match) => match[1]);
    const others = files.filter((path) => path !== INDEX).map((path) => relative(STYLES, path));

    // Act
    const bundled = await build({ entryPoints: [INDEX], bundle: true, write: false, logLevel: 'silent' });

    // Assess
    expect(new Set(imports).size).toBe(imports.length);
    expect([...imports].sort()).toEqual([...others].sort());
    expect(bundled.warnings.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`)).toEqual([]);
  });
});

describe('The stylesheet checks themselves', () => {
  it.each([
    ['a lost closing brace', '.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n'],
    ['an extra closing brace', '.a {\n  color: red;\n}\n}\n.b {\n  color: blue;\n}\n'],
    ['declarations cut out of their rule', '.a {\n  color: red;\n}\n  padding: 2px;\n  margin: 0;\n}\n'],
  ])('catch %s', (_what, css) => {
    // Act
    const flagged = complaints('broken.css', css).length > 0 || nestsRules(css);

    // Assess
    expect(flagged).toBe(true);
  });
});
