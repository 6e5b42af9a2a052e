// Entry point of an analyzer worker thread. Worker threads do not inherit jest's transform, and under
// `tsx` they may or may not inherit its loader, so register tsx's CommonJS hook here unless .ts already loads.

if (!require.extensions['.ts']) {
  require('tsx/cjs/api').register();
}
require('./worker.ts');
