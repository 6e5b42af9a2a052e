/**
 * The last step of a local stack's start, once every part is up: the caller's listeners first, then
 * recovery decides (reads only, so a failure here still leaves no work behind) and starts what a
 * previous run left unfinished, then the uploads held during the start are let through, all at once.
 */
import type { LocalStack, LocalStackOptions } from './local-stack';
import { LOCAL_REGION } from './local-names';
import type { LocalServers } from './local-servers';
import { planRecovery, runRecovery } from './recovery';
import { step } from './start-parts';
import type { UploadHandoff } from './upload-handoff';

export async function startWork(
  stack: LocalStack,
  options: Pick<LocalStackOptions, 'beforeWork' | 'recover' | 'recoverUploads'>,
  parts: { servers: LocalServers; handoff: UploadHandoff },
): Promise<void> {
  const { runner, store, tasks } = stack;
  const { handoff } = parts;
  await options.beforeWork?.(stack);
  if (options.recover !== false) {
    const plan = await step('recovery of unfinished work', () =>
      planRecovery({
        runner,
        store,
        s3: stack.clients.s3,
        dynamodb: stack.clients.dynamodb,
        bucket: stack.bucket,
        uploadPrefix: stack.uploadPrefix,
        tableName: stack.tableName,
        region: LOCAL_REGION,
        describeObject: parts.servers.s3.describeObject,
        handoff,
        tasks,
        listUploads: options.recoverUploads !== false,
      }),
    );
    stack.recovery = await runRecovery(plan, { runner, tasks });
  }
  handoff.open((event) => void runner.start(event));
}
