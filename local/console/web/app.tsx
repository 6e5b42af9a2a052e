import type { ComponentChildren } from 'preact';
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
  const [menuOpen, setMenuOpen] = useState(false);
  // A followed link closes the phone menu.
  useEffect(() => setMenuOpen(false), [route]);
  return (
    <div class="shell">
      <header class={`topbar${menuOpen ? ' menu-open' : ''}`}>
        <a class="brand" href="#/">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          picflow <span class="brand-sub">local console</span>
        </a>
        {/* Shown only at phone widths (styles/phone.css): the navigation folds behind it. */}
        <button
          type="button"
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          data-testid="menu-button"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <nav id="main-nav" aria-label="Main" data-testid="main-nav">
          <NavLink current={tab === 'library'} href={href({ page: 'library', query: '' })} testId="nav-library">
            Library
          </NavLink>
          <NavLink current={tab === 'executions'} href={href({ page: 'executions' })} testId="nav-executions">
            Executions
          </NavLink>
          <NavLink current={tab === 'people'} href={href({ page: 'people' })} testId="nav-people">
            People
          </NavLink>
          <NavLink current={tab === 'upload'} href={href({ page: 'upload' })} testId="nav-upload">
            Upload
          </NavLink>
          <NavLink current={tab === 'failures'} href={href({ page: 'failures' })} testId="nav-failures">
            Failures
            {failures > 0 ? (
              <span class="count">
                {failures}
                <span class="visually-hidden"> in the dead-letter queue</span>
              </span>
            ) : null}
          </NavLink>
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

/** A navigation link; the page shown is marked aria-current for screen readers and styled from it. */
function NavLink({
  current,
  href: target,
  testId,
  children,
}: {
  current: boolean;
  href: string;
  testId: string;
  children: ComponentChildren;
}) {
  return (
    <a class={current ? 'active' : ''} aria-current={current ? 'page' : undefined} href={target} data-testid={testId}>
      {children}
    </a>
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
