/**
 * A random first port for a `picflow dev` under test (it takes this one and the next five). Below Linux's
 * ephemeral range (32768-60999 by default), where the kernel picks the local ports of outgoing connections:
 * a base inside it collided with another test's open connection ("port 33330 already in use").
 */
export function randomDevPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}
