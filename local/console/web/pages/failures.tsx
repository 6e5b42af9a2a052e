import { useEffect, useState } from 'preact/hooks';
import type { DeadLetterSummary, ReplayOutcomeSummary } from '../../shared/api-types';
import { api } from '../api';
import { StatusBadge } from '../components/badges';
import { useFeed } from '../feed';
import { fileName, formatTime } from '../format';
import { href } from '../router';

/** The dead-letter queue: one message per failed image, each with a Replay button, and one for all. */
export function FailuresPage() {
  const [messages, setMessages] = useState<DeadLetterSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [replaying, setReplaying] = useState<Set<string> | 'all' | undefined>(undefined);
  const [outcomes, setOutcomes] = useState<(ReplayOutcomeSummary & { image?: string })[]>([]);

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

  const busy = (id: string): boolean => replaying === 'all' || (replaying instanceof Set && replaying.has(id));
  return (
    <section class="page">
      <div class="page-head">
        <h1>Failures</h1>
        <span class="muted">dead-letter queue</span>
        <button
          class="button primary push"
          disabled={!messages?.length || replaying !== undefined}
          onClick={() => replay()}
          data-testid="replay-all"
        >
          {replaying === 'all' ? 'Replaying…' : `Replay all${messages?.length ? ` (${messages.length})` : ''}`}
        </button>
      </div>
      {error && <div class="alert error">{error}</div>}
      {outcomes.length > 0 && (
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
      )}
      <div class="card flush">
        <table class="grid failures" data-testid="dead-letters">
          <thead>
            <tr>
              <th>Image</th>
              <th>Outcome</th>
              <th>Error</th>
              <th>Failed</th>
              <th>Execution</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {messages?.map((m) => (
              <tr key={m.messageId} data-message={m.messageId} data-key={m.key}>
                <td>
                  {m.imageId ? (
                    <a href={href({ page: 'image', imageId: m.imageId })}>{fileName(m.imageId)}</a>
                  ) : (
                    <span class="mono">{m.messageId}</span>
                  )}
                </td>
                <td>{m.status ? <StatusBadge status={m.status} /> : '—'}</td>
                <td class="error-cell">
                  {m.failures.length > 0 ? (
                    m.failures.map((f, i) => (
                      <div key={i}>
                        <span class="mono state-name">{f.state}</span> <strong>{f.error}</strong>
                        <div class="muted cause" title={f.cause}>
                          {f.cause}
                        </div>
                      </div>
                    ))
                  ) : (
                    <div>{m.reason}</div>
                  )}
                </td>
                <td>{formatTime(m.failedAt)}</td>
                <td class="mono small">
                  {m.executionName ? <a href={href({ page: 'execution', name: m.executionName })}>{m.executionName}</a> : '—'}
                </td>
                <td class="actions">
                  <button
                    class="button"
                    disabled={!m.replayable || replaying !== undefined}
                    onClick={() => replay([m.messageId])}
                    data-testid="replay"
                  >
                    {busy(m.messageId) ? 'Replaying…' : 'Replay'}
                  </button>
                </td>
              </tr>
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
