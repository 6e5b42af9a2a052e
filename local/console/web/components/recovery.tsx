/**
 * Honest recovery for a failed image, the same on the failures list, the execution page and the result page:
 * a permanent failure (dead-letters/permanence.ts: the file itself is bad) says to upload a fixed file, a
 * transient one offers Replay (the console's replay route, dead-letters/replay.ts), with the image's attempts
 * so far and the last one's outcome.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleStatus, DeadLetterSummary, ReplayOutcomeSummary } from '../../shared/api-types';
import { api } from '../api';
import { href } from '../router';
import { StatusBadge } from './badges';

/** How often the image ran (each execution is an attempt) and how the newest ended. */
export function useAttempts(imageId: string | undefined, refresh: unknown): { count: number; last?: ConsoleStatus } | undefined {
  const [attempts, setAttempts] = useState<{ count: number; last?: ConsoleStatus } | undefined>(undefined);
  useEffect(() => {
    if (!imageId) return;
    api.executions({ imageId }).then(
      (r) => setAttempts({ count: r.executions.length, last: r.executions[0]?.status }),
      () => setAttempts(undefined),
    );
  }, [imageId, refresh]);
  return attempts;
}

/** The dead letter `match` picks (an execution's, an image's), read again whenever a replay changed the queue. */
export function useDeadLetter(match: (m: DeadLetterSummary) => boolean, key: string): DeadLetterSummary | undefined {
  const [message, setMessage] = useState<DeadLetterSummary | undefined>(undefined);
  useEffect(() => {
    const load = (): void => {
      api.deadLetters().then(
        (r) => setMessage(r.messages.find(match)),
        () => setMessage(undefined),
      );
    };
    load();
    window.addEventListener('picflow:dead-letters-changed', load);
    return () => window.removeEventListener('picflow:dead-letters-changed', load);
  }, [key]);
  return message;
}

/** Replay for a transient failure, "upload a fixed file" for a permanent one; attempts and the last outcome. */
export function RecoveryActions({
  message,
  onReplay,
  busy,
}: {
  message: DeadLetterSummary;
  /** Replays the message (the caller's, so a list can track several); when absent, this component does it. */
  onReplay?(): void;
  busy?: boolean;
}) {
  const [ownBusy, setOwnBusy] = useState(false);
  const [outcome, setOutcome] = useState<ReplayOutcomeSummary | string | undefined>(undefined);
  const attempts = useAttempts(message.imageId, outcome);
  const replay = async (): Promise<void> => {
    if (onReplay) return onReplay();
    setOwnBusy(true);
    try {
      const result = await api.replay([message.messageId]);
      setOutcome(result.outcomes[0] ?? 'nothing was replayed');
    } catch (e) {
      setOutcome((e as Error).message);
    } finally {
      setOwnBusy(false);
      window.dispatchEvent(new Event('picflow:dead-letters-changed'));
    }
  };
  const replaying = busy || ownBusy;
  return (
    <div class={`recovery ${message.permanent ? 'recovery-permanent' : 'recovery-transient'}`} data-testid="recovery">
      {message.permanent ? (
        <>
          <span class="recovery-why" data-testid="permanent-reason">
            <strong>{message.failureKind}</strong>: {message.permanence}. A replay would fail the same way.
          </span>
          <a class="button" href={href({ page: 'upload' })} data-testid="upload-fixed">
            Upload a fixed file
          </a>
        </>
      ) : (
        <>
          <button
            type="button"
            class="button primary"
            disabled={replaying || !message.replayable}
            onClick={() => void replay()}
            data-testid="replay"
          >
            {replaying ? 'Replaying…' : 'Replay'}
          </button>
          <span class="recovery-why muted">{message.permanence}</span>
        </>
      )}
      {attempts && (
        <span class="recovery-attempts muted nowrap" data-testid="attempts">
          {attempts.count} {attempts.count === 1 ? 'attempt' : 'attempts'}
          {attempts.last && (
            <>
              , last: <StatusBadge status={attempts.last} />
            </>
          )}
        </span>
      )}
      {outcome && (
        <span class="recovery-outcome" data-testid="replay-outcome">
          {typeof outcome === 'string' ? (
            outcome
          ) : (
            <>
              replayed: <StatusBadge status={outcome.status} />{' '}
              {outcome.executionName && (
                <a class="mono" href={href({ page: 'execution', name: outcome.executionName })}>
                  {outcome.executionName}
                </a>
              )}
            </>
          )}
        </span>
      )}
    </div>
  );
}

/** A card with the recovery for this execution's or image's dead letter; nothing when it has none. */
export function RecoveryCard({ match, matchKey }: { match: (m: DeadLetterSummary) => boolean; matchKey: string }) {
  const message = useDeadLetter(match, matchKey);
  if (!message) return null;
  return (
    <div class="card recovery-card" data-testid="recovery-card" data-message={message.messageId}>
      <div class="card-head">
        <h2>Recovery</h2>
        <span class="muted">in the dead-letter queue since {message.failedAt ?? 'its failure'}</span>
      </div>
      <RecoveryActions message={message} />
    </div>
  );
}
