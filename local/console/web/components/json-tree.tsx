/** A JSON value as a collapsible tree with a Copy button: what the Step Functions console's Input/Output tabs show. */
import { useState } from 'preact/hooks';

/** Objects and arrays deeper than this start collapsed: a state's whole input stays readable at a glance. */
const OPEN_DEPTH = 2;

export function JsonTree({ value, testid }: { value: unknown; testid?: string }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>(undefined);
  const text = value === undefined ? '' : JSON.stringify(value, null, 2);
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  if (value === undefined) return <p class="empty small">—</p>;
  return (
    <div class="json-tree" data-testid={testid}>
      <button type="button" class="button json-copy" onClick={copy} data-testid="copy-json">
        {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
      <div class="json-body mono">
        <JsonNode value={value} depth={0} />
      </div>
    </div>
  );
}

function JsonNode({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const key = name !== undefined && <span class="json-key">{JSON.stringify(name)}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div class="json-leaf">
        {key}
        <span class={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0)
    return (
      <div class="json-leaf">
        {key}
        {open}
        {close}
      </div>
    );
  return (
    <details class="json-branch" open={depth < OPEN_DEPTH}>
      <summary>
        {key}
        {open}
        <span class="json-count muted">
          {' '}
          {entries.length} {Array.isArray(value) ? 'items' : 'keys'}
        </span>
      </summary>
      <div class="json-children">
        {entries.map(([k, v]) => (
          <JsonNode key={k} name={Array.isArray(value) ? undefined : k} value={v} depth={depth + 1} />
        ))}
      </div>
      <div>{close}</div>
    </details>
  );
}

/**
 * Tabs over JSON values (Input / Output / Error / Definition); a tab with no value is shown disabled. Every
 * panel is rendered (the inactive ones hidden), so each keeps its own test id: `${testid}-input` and so on.
 */
export function JsonTabs({
  tabs,
  testid,
  initial,
}: {
  tabs: { name: string; value: unknown }[];
  testid: string;
  /** The tab open at first (when it has a value): Error, for a state that failed. */
  initial?: string;
}) {
  const first =
    tabs.find((t) => t.name === initial && t.value !== undefined)?.name ?? tabs.find((t) => t.value !== undefined)?.name ?? tabs[0]?.name;
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const active = tabs.find((t) => t.name === chosen && t.value !== undefined)?.name ?? first;
  return (
    <div class="json-tabs" data-testid={testid}>
      <div class="tab-list" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.name}
            type="button"
            role="tab"
            class={`tab${t.name === active ? ' active' : ''}`}
            aria-selected={t.name === active}
            disabled={t.value === undefined}
            onClick={() => setChosen(t.name)}
            data-tab={t.name}
          >
            {t.name}
          </button>
        ))}
      </div>
      {tabs.map((t) => (
        <div key={t.name} role="tabpanel" hidden={t.name !== active} data-panel={t.name} data-testid={`${testid}-${t.name.toLowerCase()}`}>
          <JsonTree value={t.value} />
        </div>
      ))}
    </div>
  );
}
