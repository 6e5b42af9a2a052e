#!/usr/bin/env node
// The `picflow` command: runs the TypeScript CLI through tsx, so there is no build step to forget.
//
// On Linux it first re-launches itself with MALLOC_ARENA_MAX=2: glibc otherwise gives each of the
// many threads here (inference workers, libvips) its own malloc arenas, and fragmentation added about
// 350 MB to a running local stack (npm run bench). The variable is read only at process start.
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined) {
  relaunchWith({ MALLOC_ARENA_MAX: '2' });
} else {
  exitWhenParentDies();
  require('tsx/cjs');
  require('../cli/main.ts');
}

function relaunchWith(env) {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env, PICFLOW_PARENT_PID: String(process.pid) },
  });
  // Signals sent to this process go to the real one (a terminal's Ctrl-C reaches both; the CLI copes).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  stopWhenOrphaned(child);
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}

/**
 * When whatever started this process goes away without passing a signal on (`npx` runs us under
 * `sh -c`, and SIGTERM sent to npx ends that shell), stop the real process as if told to: otherwise it
 * runs on unseen, holding the ports and the data directory.
 */
function stopWhenOrphaned(child) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    child.kill('SIGTERM');
  }, 1000);
  timer.unref();
}

/** If the launcher is killed outright (SIGKILL), go with it at once, as one process would. */
function exitWhenParentDies() {
  if (!process.env.PICFLOW_PARENT_PID || !process.channel) return;
  process.channel.unref();
  process.on('disconnect', () => process.exit(137));
}
