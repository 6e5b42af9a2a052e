/**
 * `picflow faces search <photo>` and `picflow people list|name|create|merge`: face search and people
 * through the HTTP API's face routes (api/faces/), locally or with --stack on AWS (cli/faces-api.ts).
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { openFacesApi, type FacesApi, type FacesRequest, type FacesResponse } from './faces-api';

interface WhereOptions {
  stack?: string;
  region?: string;
}

/** An API answer the command cannot use: 404s (no such person or face) exit 1, anything else 2. */
class FacesCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function threshold(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError(`expected a number from 0 to 100, got "${value}"`);
  return n;
}

/** The photo's bytes and type: Rekognition searches JPEG and PNG only, told apart by their first bytes. */
function readPhoto(file: string): { contentType: string; data: Buffer } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    throw new FacesCommandError(`cannot read ${file}: ${(error as Error).message}`, 2);
  }
  if (data[0] === 0xff && data[1] === 0xd8) return { contentType: 'image/jpeg', data };
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { contentType: 'image/png', data };
  throw new FacesCommandError(`${file} is not a JPEG or PNG: face search reads only those (convert it first)`, 2);
}

/** Calls a route; anything but the expected status becomes the API's own sentence. */
async function callExpecting(api: FacesApi, request: FacesRequest, status: number): Promise<FacesResponse['body']> {
  const response = await api.call(request);
  if (response.status === status) return response.body;
  const message = typeof response.body.message === 'string' ? response.body.message : JSON.stringify(response.body);
  throw new FacesCommandError(message, response.status === 404 || response.body.code === 'NoFace' ? 1 : 2);
}

/** Runs a sub-command's work against the API, closing it after; a FacesCommandError sets its exit code. */
async function withApi(command: Command, options: WhereOptions, work: (api: FacesApi) => Promise<void>): Promise<void> {
  const name = `picflow ${command.parent?.name()} ${command.name()}`;
  let api: FacesApi;
  try {
    api = await openFacesApi(command.optsWithGlobals<{ dataDir: string }>().dataDir, options);
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    await work(api);
  } catch (error) {
    if (!(error instanceof FacesCommandError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } finally {
    await api.close();
  }
}

const where = (command: Command) =>
  command
    .option('--stack <name>', "the deployed CloudFormation stack's face collection and table instead of the local ones")
    .option('--region <region>', 'AWS region of --stack (default: your AWS configuration)');

export function facesCommand(program: Command): void {
  const faces = program.command('faces').description('search the face collection: every stored photo showing the face in a photo');
  where(
    faces
      .command('search')
      .description('find every stored photo with a face matching the largest face in <photo> (JPEG or PNG), best match first')
      .argument('<photo>', 'a JPEG or PNG file showing the face')
      .option('--json', 'print the matches as JSON')
      .option('--threshold <n>', 'lowest similarity (0-100) a match needs (default: the personMatchThreshold setting, 80)', threshold),
  ).action(async (file: string, options: WhereOptions & { json?: boolean; threshold?: number }, command: Command) => {
    const photo = readPhoto(file);
    await withApi(command, options, async (api) => {
      const matches: Record<string, unknown>[] = [];
      let nextToken: string | undefined;
      do {
        const query = { limit: '100', ...(options.threshold !== undefined ? { threshold: String(options.threshold) } : {}), nextToken };
        const page = await callExpecting(api, { method: 'POST', path: '/faces/search', query, bytes: photo }, 200);
        matches.push(...(page.matches as Record<string, unknown>[]));
        nextToken = page.nextToken as string | undefined;
      } while (nextToken);
      if (options.json) process.stdout.write(`${JSON.stringify({ matches }, null, 2)}\n`);
      else if (matches.length === 0) process.stdout.write('no stored photo has a matching face\n');
      else for (const m of matches) process.stdout.write(`${String(m.similarity).padStart(6)}  ${m.key}  face ${m.faceId}\n`);
      process.stderr.write(`picflow faces search: ${matches.length} photo${matches.length === 1 ? '' : 's'} (in ${api.description})\n`);
    });
  });
}

export function peopleCommand(program: Command): void {
  const people = program.command('people').description('people: faces grouped under a person, named once, tagged on later uploads');
  where(
    people
      .command('list')
      .description('list the people, with their names and how many faces each has')
      .option('--json', 'print them as JSON'),
  ).action(async (options: WhereOptions & { json?: boolean }, command: Command) => {
    await withApi(command, options, async (api) => {
      const all: { userId: string; name?: string; faceCount?: number }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await callExpecting(api, { method: 'GET', path: '/people', query: { nextToken } }, 200);
        all.push(...(page.people as typeof all));
        nextToken = page.nextToken as string | undefined;
      } while (nextToken);
      if (options.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else
        for (const p of all) {
          const faces = p.faceCount === 1 ? '1 face' : `${p.faceCount ?? 0} faces`;
          process.stdout.write(`${p.userId}  ${p.name ?? '(no name)'}  (${faces})\n`);
        }
    });
  });
  where(
    people
      .command('name')
      .description('name or rename a person')
      .argument('<userId>', 'the person, as `picflow people list` shows them')
      .argument('<name>', 'their name'),
  ).action(async (userId: string, name: string, options: WhereOptions, command: Command) => {
    await withApi(command, options, async (api) => {
      await callExpecting(api, { method: 'PATCH', path: `/people/${encodeURIComponent(userId)}`, json: { name } }, 200);
      process.stderr.write(`picflow people name: ${userId} is ${name}\n`);
    });
  });
  where(
    people
      .command('create')
      .description('make a person of one or more faces (their faceId, as `picflow show --json` lists them on each face)')
      .argument('<faceId...>', 'faces of that one person')
      .option('--name <name>', 'their name'),
  ).action(async (faceIds: string[], options: WhereOptions & { name?: string }, command: Command) => {
    await withApi(command, options, async (api) => {
      const created = await callExpecting(
        api,
        { method: 'POST', path: '/people', json: { faceIds, ...(options.name ? { name: options.name } : {}) } },
        201,
      );
      for (const f of created.unassociated as { faceId: string; reasons: string[] }[])
        process.stderr.write(`picflow people create: face ${f.faceId} left out (${f.reasons.join(', ')})\n`);
      // The new userId alone on stdout, for scripts.
      process.stdout.write(`${created.userId}\n`);
    });
  });
  where(
    people
      .command('merge')
      .description('merge two people: every face of <from> moves to <into>, then <from> is deleted')
      .argument('<into>', 'the person who stays')
      .argument('<from>', 'the person merged into them'),
  ).action(async (into: string, from: string, options: WhereOptions, command: Command) => {
    await withApi(command, options, async (api) => {
      const merged = await callExpecting(api, { method: 'POST', path: `/people/${encodeURIComponent(into)}/merge`, json: { from } }, 200);
      process.stderr.write(`picflow people merge: ${from} merged into ${into} (${(merged.faceIds as string[]).length} faces)\n`);
    });
  });
}
