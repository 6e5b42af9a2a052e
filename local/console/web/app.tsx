import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { inProgress } from '../shared/execution-list';
import { api } from './api';
import { useFeed, useFeedConnected } from './feed';
import { ExecutionPage } from './pages/execution';
import { ExecutionsPage } from './pages/executions';
import { FailuresPage } from './pages/failures';
import { LibraryPage } from './pages/library';
import { PeoplePage } from './pages/people';
import { ResultPage } from './pages/result';
import { UploadPage } from './pages/upload';
import { href, useRoute } from './router';

export function App() {
  const route = useRoute();
  const connected = useFeedConnected();
  const failures = useDeadLetterCount();
  const tab = route.page === 'execution' || route.page === 'image' ? 'executions' : route.page;
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/">
          <span class="logo">◆</span> picflow <span class="brand-sub">local console</span>
        </a>
        <nav>
          <a class={tab === 'library' ? 'active' : ''} href={href({ page: 'library', query: '' })} data-testid="nav-library">
            Library
          </a>
          <a class={tab === 'executions' ? 'active' : ''} href={href({ page: 'executions' })} data-testid="nav-executions">
            Executions
          </a>
          <a class={tab === 'people' ? 'active' : ''} href={href({ page: 'people' })} data-testid="nav-people">
            People
          </a>
          <a class={tab === 'upload' ? 'active' : ''} href={href({ page: 'upload' })}>
            Upload
          </a>
          <a class={tab === 'failures' ? 'active' : ''} href={href({ page: 'failures' })} data-testid="nav-failures">
            Failures{failures > 0 ? <span class="count">{failures}</span> : null}
          </a>
        </nav>
        <span class={`live ${connected ? 'on' : 'off'}`} title={connected ? 'Receiving live updates' : 'Reconnecting…'}>
          <span class="dot" />
          {connected ? 'Live' : 'Offline'}
        </span>
      </header>
      <main>
        {route.page === 'library' && <LibraryPage query={route.query} />}
        {route.page === 'executions' && <ExecutionsPage status={route.status} />}
        {route.page === 'execution' && <ExecutionPage key={route.name} name={route.name} selected={route.state} />}
        {route.page === 'image' && <ResultPage key={route.imageId} imageId={route.imageId} />}
        {route.page === 'failures' && <FailuresPage />}
        {route.page === 'upload' && <UploadPage />}
        {route.page === 'people' && <PeoplePage key={route.faceId ?? ''} faceId={route.faceId} imageId={route.imageId} />}
      </main>
    </div>
  );
}

/** Messages in the dead-letter queue, for the nav badge: checked at start and after executions end. */
function useDeadLetterCount(): number {
  const [count, setCount] = useState(0);
  const timer = useRef<number | undefined>(undefined);
  const refresh = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      api.deadLetters().then(
        (r) => setCount(r.messages.length),
        () => undefined,
      );
    }, 600);
  }, []);
  useEffect(() => {
    refresh();
    window.addEventListener('picflow:dead-letters-changed', refresh);
    return () => window.removeEventListener('picflow:dead-letters-changed', refresh);
  }, [refresh]);
  useFeed((execution) => {
    if (!inProgress(execution.status)) refresh();
  }, refresh);
  return count;
}
