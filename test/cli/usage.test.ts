// Usage errors, as a user meets them: exit code 2 (1 is "an image failed"), the option named, and
// nothing started before the error is reported.
import { picflow } from './run-picflow';
import { fixturePath, tempDir } from '../e2e/support';

jest.setTimeout(60_000);

describe('CLI: usage errors', () => {
  const data = tempDir('cli-usage');
  afterAll(() => data.remove());

  it('an invalid --workers names the option, exits 2 and starts no analysis', async () => {
    const { code, stderr, stdout } = await picflow(['--data-dir', data.path, 'analyze', '--workers', '0', fixturePath('rocket.jpg')]);

    expect(stderr).toContain("option '--workers <n>' argument '0' is invalid");
    expect(stderr).not.toContain('analysing');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it.each([
    [['analyze', '--concurrency', 'many', 'x.jpg'], "option '--concurrency <n>' argument 'many' is invalid"],
    [['analyze', '--no-such-option', 'x.jpg'], "unknown option '--no-such-option'"],
    [['analyze'], "missing required argument 'paths'"],
    [['dev', '--port', '65534'], "option '--port <n>' argument '65534' is invalid"],
    [['replay', '--concurrency', '-3'], "option '--concurrency <n>' argument '-3' is invalid"],
    [['no-such-command'], "unknown command 'no-such-command'"],
  ])('picflow %j exits 2 with the error', async (args, message) => {
    const { code, stderr } = await picflow(['--data-dir', data.path, ...args]);

    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it('--help still exits 0', async () => {
    const { code, stdout } = await picflow(['analyze', '--help']);

    expect(stdout).toContain('Usage: picflow analyze');
    expect(code).toBe(0);
  });
});
