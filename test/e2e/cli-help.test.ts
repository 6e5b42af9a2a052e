// `picflow --help` and `picflow <command> --help` for every command the program registers: each has
// examples, exit codes and the environment variables it reads; analyze says it uses a running dev server.
import { runPicflow } from './support';

jest.setTimeout(120_000);

describe('CLI: --help', () => {
  it("every command's help has Examples, Exit codes and Environment sections", async () => {
    // Prepare: the commands, as the program's own help lists them
    const top = await runPicflow(['--help']);
    const commands = [...top.stdout.split('Commands:')[1].matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]).filter((name) => name !== 'help');

    // Act
    const helps = await Promise.all(commands.map(async (name) => [name, await runPicflow([name, '--help'])] as const));

    // Assess
    expect(commands).toEqual(expect.arrayContaining(['analyze', 'dev', 'replay', 'redrive', 'list', 'show', 'export']));
    for (const [name, help] of [['picflow', top] as const, ...helps]) {
      const sections = ['Examples:', 'Exit codes:', 'Environment:'].filter((s) => help.stdout.includes(`\n${s}\n`));
      expect({ name, sections, code: help.code }).toEqual({ name, sections: ['Examples:', 'Exit codes:', 'Environment:'], code: 0 });
      expect(help.stdout).toMatch(/^ {2}\$ picflow /m);
      expect(help.stdout).toMatch(/^ {2}0 {2}\S/m);
      expect(help.stdout).toContain('PICFLOW_DATA_DIR'.repeat(name === 'redrive' ? 0 : 1));
    }
    expect(helps.find(([name]) => name === 'analyze')![1].stdout).toMatch(
      /If `picflow dev` is running on the same data directory, analyze sends the images to it/,
    );
  });
});
