/** The failures page: the dead-letter queue's messages and their replay. */
import { useEffect, useState } from 'preact/hooks';
import type { DeadLetterSummary, ReplayOutcomeSummary } from '../../shared/api-types';
import { api } from '../api';
import { StatusBadge } from '../components/badges';
import { RecoveryActions } from '../components/recovery';
import { useFeed } from '../feed';
import { fileName, formatTime, prettyCause } from '../format';
import { href } from '../router';

type Outcome = ReplayOutcomeSummary & { image?: string };
/** The messages being replayed: some, all, or none (undefined). */
type Replaying = Set<string> | 'all' | undefined;

/** The dead-letter queue: one message per failed image, each with a Replay button, and one for all. */
export function FailuresPage() {
  const { messages, error, replaying, outcomes, replay } = useDeadLetters();
  const busy = (id: string): boolean => replaying === 'all' || (replaying instanceof Set && replaying.has(id));
  // "Replay all" runs only the transient failures: the server skips permanent ones unless named.
  const transient = messages?.filter((m) => !m.permanent).length ?? 0;
  return (
    <section class="page">
      <div class="page-head">
        <h1>Failures</h1>
        <span class="muted">dead-letter queue</span>
        <button
          type="button"
          class="button primary push"
          disabled={!transient || replaying !== undefined}
          onClick={() => replay()}
          data-testid="replay-all"
        >
          {replaying === 'all' ? 'Replaying…' : `Replay all${transient ? ` (${transient})` : ''}`}
        </button>
      </div>
      {error && <div class="alert error">{error}</div>}
      {outcomes.length > 0 && <ReplayOutcomes outcomes={outcomes} />}
      <div class="card flush">
        <table class="grid failures cards-on-phone" data-testid="dead-letters">
          <thead>
            <tr>
              <th>Image</th>
              <th>Outcome</th>
              <th>Error</th>
              <th>Failed</th>
              <th>Execution</th>
              <th>Recovery</th>
            </tr>
          </thead>
          <tbody>
            {messages?.map((m) => (
              <DeadLetterRow
                key={m.messageId}
                message={m}
                busy={busy(m.messageId)}
                canReplay={m.replayable && replaying === undefined}
                onReplay={() => replay([m.messageId])}
              />
            ))}
          </tbody>
        </table>
        {messages && messages.length === 0 && (
          <p class="empty">The dead-letter queue is empty: nothing has failed, or everything was replayed.</p>
        )}
        {!messages && !error && <p class="empty">Loading…</p>}
      </div>
    </section>
  );
}

/**
 * The queue's messages, read again whenever an execution ends (unless a replay is under way) and on
 * reconnecting; `replay` replays some messages (or all) and keeps what became of each.
 */
function useDeadLetters() {
  const [messages, setMessages] = useState<DeadLetterSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [replaying, setReplaying] = useState<Replaying>(undefined);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  const load = (): void => {
    api.deadLetters().then(
      (r) => {
        setMessages(r.messages);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(load, []);
  useFeed((execution) => {
    if (execution.status !== 'RUNNING' && !replaying) load();
  }, load);

  const replay = async (messageIds?: string[]): Promise<void> => {
    setReplaying(messageIds ? new Set(messageIds) : 'all');
    setError(undefined);
    try {
      const images = new Map((messages ?? []).map((m) => [m.messageId, fileName(m.imageId)]));
      const result = await api.replay(messageIds);
      setOutcomes(result.outcomes.map((o) => ({ ...o, image: images.get(o.messageId) })));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setReplaying(undefined);
      window.dispatchEvent(new Event('picflow:dead-letters-changed'));
      load();
    }
  };
  return { messages, error, replaying, outcomes, replay };
}

/** What the last replay did with each message. */
function ReplayOutcomes({ outcomes }: { outcomes: Outcome[] }) {
  return (
    <div class="alert info" data-testid="replay-outcomes">
      {outcomes.map((o) => (
        <div key={o.messageId}>
          <strong>{o.image ?? o.messageId}</strong> replayed: <StatusBadge status={o.status} />{' '}
          {o.executionName ? (
            <a class="mono" href={href({ page: 'execution', name: o.executionName })}>
              {o.executionName}
            </a>
          ) : (
            o.detail
          )}
          {o.status === 'FAILED' && <span class="muted"> — {o.detail}</span>}
        </div>
      ))}
    </div>
  );
}

function DeadLetterRow({
  message: m,
  busy,
  canReplay,
  onReplay,
}: {
  message: DeadLetterSummary;
  busy: boolean;
  canReplay: boolean;
  onReplay(): void;
}) {
  return (
    <tr data-message={m.messageId} data-key={m.key}>
      <td data-label="Image">
        {m.imageId ? (
          <a href={href({ page: 'image', imageId: m.imageId })}>{fileName(m.imageId)}</a>
        ) : (
          <span class="mono">{m.messageId}</span>
        )}
      </td>
      <td data-label="Outcome">{m.status ? <StatusBadge status={m.status} /> : '—'}</td>
      <td class="error-cell" data-label="Error">
        <FailureCauses message={m} />
      </td>
      <td data-label="Failed">{formatTime(m.failedAt)}</td>
      <td class="mono small" data-label="Execution">
        {m.executionName ? <a href={href({ page: 'execution', name: m.executionName })}>{m.executionName}</a> : '—'}
      </td>
      <td class="actions" data-label="">
        {/* Permanent failures get no Replay: the same file fails the same way (dead-letters/permanence.ts). */}
        <RecoveryActions message={{ ...m, replayable: m.replayable && (canReplay || busy) }} busy={busy} onReplay={onReplay} />
      </td>
    </tr>
  );
}

/** Each failed state with its error and cause, or the message's reason when it names none. */
function FailureCauses({ message: m }: { message: DeadLetterSummary }) {
  if (m.failures.length === 0) return <div>{m.reason}</div>;
  return (
    <>
      {m.failures.map((f, i) => (
        <div key={i}>
          <span class="mono state-name">{f.state}</span> <strong>{f.error}</strong>
          {/* The whole cause, readable: the first line as the summary, all of it when opened. */}
          <details class="cause" data-testid="cause">
            <summary class="muted">{f.cause.split('\n')[0]}</summary>
            <pre>{prettyCause(f.cause)}</pre>
          </details>
        </div>
      ))}
    </>
  );
}
