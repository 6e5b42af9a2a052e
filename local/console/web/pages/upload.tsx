import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../../shared/api-types';
import { api } from '../api';
import { StatusBadge } from '../components/badges';
import { useFeed } from '../feed';
import { formatBytes } from '../format';
import { href } from '../router';

interface Upload {
  id: number;
  name: string;
  size: number;
  preview?: string;
  state: 'uploading' | 'uploaded' | 'failed';
  error?: string;
  imageId?: string;
  uploadedAt?: string;
  execution?: ExecutionSummary;
}

let nextId = 1;
/** Kept across page changes, so going to a graph and back still shows this session's uploads. */
let remembered: Upload[] = [];

/** Drop images (or pick them): each is put in the local S3 under the upload prefix and starts an execution. */
export function UploadPage() {
  const [uploads, setUploads] = useState<Upload[]>(remembered);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  remembered = uploads;

  const update = (id: number, change: Partial<Upload>): void =>
    setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const start = (files: File[]): void => {
    const added = files.map(
      (file): Upload => ({
        id: nextId++,
        name: safeName(file.name),
        size: file.size,
        preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined,
        state: 'uploading',
      }),
    );
    setUploads((list) => [...added, ...list]);
    added.forEach((upload, i) => {
      api.upload(files[i], upload.name).then(
        (r) => update(upload.id, { state: 'uploaded', imageId: r.imageId, uploadedAt: r.uploadedAt }),
        (e: Error) => update(upload.id, { state: 'failed', error: e.message }),
      );
    });
  };

  // Find each upload's execution (the S3 event starts it a moment after the upload).
  useEffect(() => {
    const waiting = uploads.filter((u) => u.state === 'uploaded' && !u.execution);
    if (waiting.length === 0) return undefined;
    const timer = window.setTimeout(() => {
      for (const u of waiting) {
        api.executions({ imageId: u.imageId, since: u.uploadedAt }).then(
          ({ executions }) => executions[0] && update(u.id, { execution: executions[executions.length - 1] }),
          () => undefined,
        );
      }
    }, 300);
    return () => window.clearTimeout(timer);
  }, [uploads]);

  useFeed((execution) => setUploads((list) => list.map((u) => (u.execution?.name === execution.name ? { ...u, execution } : u))));

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) start(files);
  };

  return (
    <section class="page">
      <div class="page-head">
        <h1>Upload</h1>
        <span class="muted">each image goes to the local S3 and starts an execution, as on AWS</span>
      </div>
      <div
        class={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
      >
        <div class="dropzone-icon">⇪</div>
        <div class="dropzone-title">Drop images here</div>
        <div class="muted">or click to choose files (JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF)</div>
        <input
          ref={input}
          type="file"
          multiple
          accept="image/*"
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = [...((e.target as HTMLInputElement).files ?? [])];
            (e.target as HTMLInputElement).value = '';
            if (files.length > 0) start(files);
          }}
        />
      </div>
      {uploads.length > 0 && (
        <div class="card flush">
          <table class="grid uploads" data-testid="uploads">
            <thead>
              <tr>
                <th />
                <th>File</th>
                <th class="num">Size</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {uploads.map((u) => (
                <tr key={u.id} data-upload={u.name} data-status={u.execution?.status ?? u.state}>
                  <td class="preview">{u.preview ? <img src={u.preview} alt="" /> : null}</td>
                  <td>{u.name}</td>
                  <td class="num">{formatBytes(u.size)}</td>
                  <td>
                    {u.state === 'uploading' && <span class="muted">Uploading…</span>}
                    {u.state === 'failed' && <span class="text-failed">Upload failed: {u.error}</span>}
                    {u.state === 'uploaded' &&
                      (u.execution ? <StatusBadge status={u.execution.status} /> : <span class="muted">Starting…</span>)}
                  </td>
                  <td class="actions">
                    {u.execution && (
                      <a class="button ghost" href={href({ page: 'execution', name: u.execution.name })} data-testid="open-graph">
                        Graph
                      </a>
                    )}
                    {u.execution && u.execution.status !== 'RUNNING' && u.imageId && (
                      <a class="button ghost" href={href({ page: 'image', imageId: u.imageId })} data-testid="open-result">
                        Result
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** What the server accepts as a file name: letters, digits, space and . _ - ( ), no path. */
function safeName(name: string): string {
  let safe = name
    .replace(/[^A-Za-z0-9 ._()-]+/g, '-')
    .replace(/\.\.+/g, '.')
    .slice(-200);
  if (!/^[A-Za-z0-9]/.test(safe)) safe = `image-${safe}`.slice(0, 200);
  return safe;
}
