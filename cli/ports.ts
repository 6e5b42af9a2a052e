/** Checks that the fixed ports `picflow dev` wants are free, so a clash is one clear sentence, not a stack trace. */
import { createServer } from 'node:net';

export async function assertPortsFree(host: string, ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isFree(host, port))) busy.push(`${port} (${name})`);
  }
  if (busy.length > 0) {
    throw new Error(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use on ${host}: is another picflow dev running? Choose other ports with --port <first>`,
    );
  }
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
