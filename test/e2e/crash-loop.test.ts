// Issue 15's crash test: `picflow dev` SIGKILLed at random moments during 20 concurrent 1-3 MB PUTs,
// restarted on the same data each time; then every acknowledged PUT has exactly its bytes, every stored
// upload has one item in a final state, nothing is stuck in PROCESSING and no SUCCEEDED image has a
// dead letter. Three iterations here; `npm run bench:crash` runs ten (README: Reliability). The seed is
// random and printed; PICFLOW_CRASH_SEED=<seed> runs the same images and kill moments again.
import { runCrashLoop } from './crash-loop';
import { tempDir } from './support';

jest.setTimeout(300_000);

const ITERATIONS = 3;

describe('Local stack: SIGKILL during concurrent large uploads', () => {
  const data = tempDir('crash-loop');
  afterAll(() => data.remove());

  it(`loses no acknowledged PUT and leaves nothing stuck after ${ITERATIONS} kills`, async () => {
    // Prepare
    const seed = process.env.PICFLOW_CRASH_SEED ? Number(process.env.PICFLOW_CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);
    console.log(`crash loop seed ${seed} (PICFLOW_CRASH_SEED=${seed} repeats it)`);

    // Act
    const result = await runCrashLoop({ dataDir: data.path, iterations: ITERATIONS, seed, log: (line) => console.log(line) });
    console.log(JSON.stringify(result));

    // Assess
    expect(result.kills).toBe(ITERATIONS);
    expect(result.acknowledgedIntact).toBe(result.putsAcknowledged);
    expect(result.unacknowledgedIntact).toBe(result.unacknowledgedStored);
    expect(result.objects).toBe(result.putsAcknowledged + result.unacknowledgedStored);
    expect(result.objectsWithOneFinalItem).toBe(result.objects);
    expect(result.stuck).toEqual([]);
    expect(result.orphanItems).toEqual([]);
    expect(result.deadLettersForSucceeded).toEqual([]);
  });
});
