import { useState } from 'preact/hooks';
import type { BoundingBox, ImageItem, Thumbnail } from '../../../../tasks/shared/types';
import { api, ApiError, objectUrl } from '../api';
import { StatusBadge } from '../components/badges';
import { RecoveryCard } from '../components/recovery';
import { fileName, formatBytes, formatDuration, formatTime, json, percent } from '../format';
import { usePolling } from '../polling';
import { href } from '../router';

const BROWSER_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'avif']);
/** Above this the page shows the 512 px thumbnail rather than download the whole upload. */
const MAX_SHOWN_UPLOAD_BYTES = 8 * 1024 * 1024;

/** One image's result: the picture with face and object boxes, what was found, and the raw item. */
export function ResultPage({ imageId }: { imageId: string }) {
  const [item, setItem] = useState<ImageItem | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  /** The face or label under the pointer, in the lists or on the image: both sides highlight it. */
  const [hovered, setHovered] = useState<string | undefined>(undefined);

  // Asked again while the image is PROCESSING (each second) or not stored yet (every two seconds).
  usePolling(
    () => api.image<ImageItem>(imageId),
    (outcome) => {
      if ('error' in outcome) {
        const e = outcome.error;
        setError(e instanceof ApiError && e.status === 404 ? 'No result stored for this image yet.' : e.message);
        return 2000;
      }
      setItem(outcome.value);
      setError(undefined);
      return outcome.value.status === 'PROCESSING' ? 1000 : undefined;
    },
    [imageId],
  );

  if (!item) {
    return (
      <section class="page">
        <div class="crumbs">
          <a href={href({ page: 'executions' })}>Executions</a> / {fileName(imageId)}
        </div>
        {error ? <div class="alert">{error}</div> : <p class="empty">Loading…</p>}
      </section>
    );
  }
  const executionName = item.executionId?.split(':').pop();
  return (
    <section class="page result-page">
      <div class="crumbs">
        <a href={href({ page: 'executions' })}>Executions</a> / <span>{item.key}</span>
      </div>
      <div class="page-head">
        <h1>{fileName(item.key)}</h1>
        <StatusBadge status={item.status} />
        {executionName && (
          <a class="button ghost" href={href({ page: 'execution', name: executionName })}>
            View execution graph
          </a>
        )}
      </div>
      <Facts item={item} />
      {item.statusReason && item.status !== 'SUCCEEDED' && <div class="alert warn">{item.statusReason}</div>}
      {(item.status === 'FAILED' || item.status === 'PARTIAL') && (
        <RecoveryCard match={(m) => m.imageId === imageId} matchKey={`${imageId}:${item.status}:${item.executionId ?? ''}`} />
      )}
      <div class="result-grid">
        <Viewer item={item} hovered={hovered} onHover={setHovered} />
        <div class="side">
          <FacesCard item={item} hovered={hovered} onHover={setHovered} />
          <LabelsCard item={item} hovered={hovered} onHover={setHovered} />
          <ColorsCard item={item} />
          <TextCard item={item} />
          <ModerationCard item={item} />
          <BranchesCard item={item} />
        </div>
      </div>
      <details class="card raw" data-testid="raw-item">
        <summary>Raw item (JSON)</summary>
        <pre>{json(item)}</pre>
      </details>
    </section>
  );
}

/** Format, size, verdict, completion time and analyzer. */
function Facts({ item }: { item: ImageItem }) {
  return (
    <dl class="facts">
      <div>
        <dt>Format</dt>
        <dd>{item.format ?? '—'}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>
          {item.width && item.height ? `${item.width} × ${item.height} px, ` : ''}
          {formatBytes(item.size)}
        </dd>
      </div>
      <div>
        <dt>Moderation</dt>
        <dd>
          <span class={`verdict verdict-${item.moderation?.verdict ?? 'unavailable'}`} data-testid="moderation-verdict">
            {item.moderation?.verdict ?? 'unavailable'}
          </span>
        </dd>
      </div>
      <div>
        <dt>Completed</dt>
        <dd>{formatTime(item.completedAt ?? item.updatedAt)}</dd>
      </div>
      <div>
        <dt>Analyzer</dt>
        <dd class="mono small">{item.analyzer}</dd>
      </div>
    </dl>
  );
}

/** The picture (a thumbnail of the same proportions) with toggled face, object and text boxes. */
/** What hovering shares between the image and the lists: `face-N` or `label-NAME`. */
interface Hover {
  hovered?: string;
  onHover(key: string | undefined): void;
}

function Viewer({ item, hovered, onHover }: { item: ImageItem } & Hover) {
  const [show, setShow] = useState({ faces: true, objects: true, text: false });
  const picture = displayImage(item);
  const faces = item.faces ?? [];
  const objects = (item.labels ?? []).flatMap((l) =>
    l.instances.map((instance, i) => ({
      name: l.name,
      box: instance.box,
      confidence: instance.confidence,
      key: `${l.name}-${i}`,
      hover: `label-${l.name}`,
    })),
  );
  const textBoxes = (item.text ?? []).filter((t) => t.box);
  return (
    <div class="card viewer-card">
      <div class="card-head">
        <h2>Image</h2>
        <div class="toggles">
          <label>
            <input type="checkbox" checked={show.faces} onChange={() => setShow({ ...show, faces: !show.faces })} /> Faces ({faces.length})
          </label>
          <label>
            <input type="checkbox" checked={show.objects} onChange={() => setShow({ ...show, objects: !show.objects })} /> Objects (
            {objects.length})
          </label>
          <label>
            <input type="checkbox" checked={show.text} onChange={() => setShow({ ...show, text: !show.text })} /> Text ({textBoxes.length})
          </label>
        </div>
      </div>
      {picture ? (
        <div
          class="viewer"
          data-testid="viewer"
          // As wide as the card allows while the whole picture stays on screen; the boxes scale with it.
          style={picture.width && picture.height ? { width: `min(100%, calc(78vh * ${picture.width / picture.height}))` } : undefined}
        >
          <img src={objectUrl(picture.key)} alt={fileName(item.key)} width={picture.width} height={picture.height} />
          {show.objects &&
            objects.map((o) => (
              <Box
                key={o.key}
                box={o.box}
                kind="object"
                label={`${o.name} ${percent(o.confidence)}`}
                hoverKey={o.hover}
                hovered={hovered}
                onHover={onHover}
              />
            ))}
          {show.text && textBoxes.map((t, i) => <Box key={`t${i}`} box={t.box!} kind="text" label={t.text} onHover={onHover} />)}
          {show.faces &&
            faces.map((f, i) => (
              <Box
                key={`f${i}`}
                box={f.box}
                kind="face"
                label={`Face ${i + 1}${f.dominantEmotion ? ` · ${f.dominantEmotion}` : ''}`}
                hoverKey={`face-${i}`}
                hovered={hovered}
                onHover={onHover}
                findHref={f.faceId ? href({ page: 'people', faceId: f.faceId, imageId: item.imageId }) : undefined}
              />
            ))}
        </div>
      ) : (
        <p class="empty">No thumbnail (the thumbnails branch did not succeed, and the browser cannot show this format).</p>
      )}
    </div>
  );
}

function FacesCard({ item, hovered, onHover }: { item: ImageItem } & Hover) {
  const faces = item.faces ?? [];
  return (
    <div class="card">
      <h2>Faces</h2>
      {faces.length === 0 ? (
        <p class="empty small">No faces found.</p>
      ) : (
        <table class="grid compact" data-testid="faces">
          <thead>
            <tr>
              <th>#</th>
              <th>Emotion</th>
              <th>Age</th>
              <th>Gender</th>
              <th class="num">Confidence</th>
              <th>Search</th>
            </tr>
          </thead>
          <tbody>
            {faces.map((f, i) => (
              <tr
                key={i}
                class={hovered === `face-${i}` ? 'highlighted' : ''}
                data-hover={`face-${i}`}
                onMouseEnter={() => onHover(`face-${i}`)}
                onMouseLeave={() => onHover(undefined)}
              >
                <td>{i + 1}</td>
                <td>
                  <strong>{f.dominantEmotion ?? '—'}</strong>
                  {f.emotions[0] ? <span class="muted"> {percent(f.emotions[0].confidence)}</span> : null}
                </td>
                <td>{f.ageRange ? `${f.ageRange.low}–${f.ageRange.high}` : '—'}</td>
                <td>{f.gender?.value ?? '—'}</td>
                <td class="num">{percent(f.confidence)}</td>
                <td>
                  {f.faceId ? (
                    <a href={href({ page: 'people', faceId: f.faceId, imageId: item.imageId })} data-testid="find-face">
                      Find this face
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function LabelsCard({ item, hovered, onHover }: { item: ImageItem } & Hover) {
  const labels = item.labels ?? [];
  return (
    <div class="card">
      <h2>Labels</h2>
      {labels.length === 0 ? (
        <p class="empty small">No labels.</p>
      ) : (
        <div class="chips" data-testid="labels">
          {labels.map((l) => (
            // A button, so the keyboard highlights a label's boxes too: focus does what hovering does.
            <button
              type="button"
              key={l.name}
              class={`chip${hovered === `label-${l.name}` ? ' highlighted' : ''}`}
              title={l.parents.length ? `parents: ${l.parents.join(', ')}` : undefined}
              data-hover={`label-${l.name}`}
              aria-pressed={hovered === `label-${l.name}`}
              onMouseEnter={() => onHover(`label-${l.name}`)}
              onMouseLeave={() => onHover(undefined)}
              onFocus={() => onHover(`label-${l.name}`)}
              onBlur={() => onHover(undefined)}
            >
              {l.name} <span class="muted">{percent(l.confidence)}</span>
              {l.instances.length > 0 && <span class="chip-count">{l.instances.length}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function TextCard({ item }: { item: ImageItem }) {
  return (
    <div class="card">
      <h2>Detected text</h2>
      {(item.text ?? []).length === 0 ? (
        <p class="empty small">No text.</p>
      ) : (
        <ul class="text-lines" data-testid="text">
          {(item.text ?? []).map((t, i) => (
            <li key={i}>
              <span class="mono">{t.text}</span> <span class="muted">{percent(t.confidence)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ModerationCard({ item }: { item: ImageItem }) {
  return (
    <div class="card">
      <h2>Moderation</h2>
      <p>
        Verdict:{' '}
        <span class={`verdict verdict-${item.moderation?.verdict ?? 'unavailable'}`}>{item.moderation?.verdict ?? 'unavailable'}</span>
      </p>
      {(item.moderation?.labels ?? []).length > 0 && (
        <div class="chips">
          {item.moderation!.labels.map((l) => (
            <span key={l.name} class="chip">
              {l.name} <span class="muted">{percent(l.confidence)}</span>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

/** The dominant colours (DetectLabels IMAGE_PROPERTIES) as swatches with their CSS name and share. */
function ColorsCard({ item }: { item: ImageItem }) {
  const colors = item.colors ?? [];
  if (colors.length === 0) return null;
  return (
    <div class="card">
      <h2>Dominant colours</h2>
      <div class="chips">
        {colors.map((c) => (
          <span key={c.hex} class="chip" title={`${c.hex}, ${c.simplified}`} data-testid="color-swatch">
            {/* Inline style: the colour is data, and the swatch needs no rule of its own in the shared stylesheet. */}
            <span
              style={{
                display: 'inline-block',
                width: '0.9em',
                height: '0.9em',
                marginRight: '0.35em',
                verticalAlign: '-0.1em',
                borderRadius: '2px',
                border: '1px solid rgba(0, 0, 0, 0.25)',
                background: c.hex,
              }}
            />
            {c.css} <span class="muted">{percent(c.percent)}</span>
          </span>
        ))}
      </div>
      {item.imageQuality && (
        <p class="muted small">
          brightness {Math.round(item.imageQuality.brightness)}, sharpness {Math.round(item.imageQuality.sharpness)}, contrast{' '}
          {Math.round(item.imageQuality.contrast)} (of 100)
        </p>
      )}
    </div>
  );
}

/** Each branch's status, duration and error, when the item has them. */
function BranchesCard({ item }: { item: ImageItem }) {
  if (!item.branches) return null;
  const branches = item.branches;
  return (
    <div class="card">
      <h2>Branches</h2>
      <table class="grid compact branches-table" data-testid="branches">
        <tbody>
          {Object.entries(branches).flatMap(([branch, summary]) => [
            <tr key={branch}>
              <td>{branch}</td>
              <td>
                <StatusBadge status={summary.status} />
              </td>
              <td class="num nowrap">{formatDuration(summary.durationMs)}</td>
            </tr>,
            // The error on a row of its own: the table stays inside its card however long the error's name.
            summary.error && (
              <tr key={`${branch}-error`} class="branch-error-row">
                <td colSpan={3} class="branch-error">
                  {summary.error}
                </td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The upload itself when the browser can show it (sharp, and large enough to fill the viewer), else the largest
 * `inside` thumbnail (same proportions as the image, so boxes fit).
 */
function displayImage(item: ImageItem): { key: string; width?: number; height?: number } | undefined {
  if (item.format && BROWSER_FORMATS.has(item.format) && (item.size ?? 0) <= MAX_SHOWN_UPLOAD_BYTES)
    return { key: item.key, width: item.width, height: item.height };
  const inside = (item.thumbnails ?? []).filter((t: Thumbnail) => t.fit === 'inside').sort((a, b) => b.width - a.width)[0];
  if (inside) return { key: inside.key, width: inside.width, height: inside.height };
  if (item.format && BROWSER_FORMATS.has(item.format)) return { key: item.key, width: item.width, height: item.height };
  return undefined;
}

/**
 * One box over the picture. A face box with `findHref` (an indexed face) is a link to "Find this face": Tab reaches
 * it, Enter or Space opens the search, and focus highlights its table row as hovering does. Other boxes only mirror hover.
 */
function Box({
  box,
  kind,
  label,
  hoverKey,
  hovered,
  onHover,
  findHref,
}: {
  box: BoundingBox;
  kind: 'face' | 'object' | 'text';
  label: string;
  hoverKey?: string;
  hovered?: string;
  onHover(key: string | undefined): void;
  findHref?: string;
}) {
  const lit = hoverKey !== undefined && hovered === hoverKey;
  const className = `box box-${kind}${box.top < 0.06 ? ' label-inside' : ''}${lit ? ' highlighted' : ''}`;
  const style = { left: `${box.left * 100}%`, top: `${box.top * 100}%`, width: `${box.width * 100}%`, height: `${box.height * 100}%` };
  if (findHref) {
    return (
      <a
        class={`${className} box-find`}
        href={findHref}
        aria-label={`${label}: find this face`}
        title="Find this face in other photos"
        data-testid={`box-${kind}`}
        data-hover={hoverKey}
        onMouseEnter={() => onHover(hoverKey)}
        onMouseLeave={() => onHover(undefined)}
        onFocus={() => onHover(hoverKey)}
        onBlur={() => onHover(undefined)}
        // Enter follows a link by itself; Space, as on a button, does too here (the box reads as a control on the photo).
        onKeyDown={(event) => {
          if (event.key !== ' ') return;
          event.preventDefault();
          window.location.hash = findHref;
        }}
        style={style}
      >
        <span class="box-label">{label}</span>
      </a>
    );
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: pointer-only mirror of the face rows and label chips (keyboard-reachable).
    <div
      class={className}
      data-testid={`box-${kind}`}
      data-hover={hoverKey}
      onMouseEnter={() => onHover(hoverKey)}
      onMouseLeave={() => onHover(undefined)}
      style={style}
    >
      <span class="box-label">{label}</span>
    </div>
  );
}
