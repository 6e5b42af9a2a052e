/** The upload page: a drop zone and a Choose images button, uploads through the HTTP API, each followed to its execution. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../../shared/api-types';
import { api, IMAGE_TYPES, uploadImage } from '../api';
import { StatusBadge } from '../components/badges';
import { useFeed } from '../feed';
import { formatBytes } from '../format';
import { href } from '../router';

interface Upload {
  id: number;
  name: string;
  size: number;
  preview?: string;
  /** refused: never sent (not an image type the pipeline reads). */
  state: 'uploading' | 'uploaded' | 'failed' | 'refused';
  error?: string;
  imageId?: string;
  uploadedAt?: string;
  execution?: ExecutionSummary;
}

let nextId = 1;
/** Kept across page changes, so going to a graph and back still shows this session's uploads. */
let remembered: Upload[] = [];

/** Drop images (or choose them): each goes through the HTTP API (POST /images) to the local S3 and starts an execution. */
export function UploadPage() {
  const { uploads, start } = useUploads();
  return (
    <section class="page">
      <div class="page-head">
        <h1>Upload</h1>
        <span class="muted">each image goes through the HTTP API to the local S3 and starts an execution, as on AWS</span>
      </div>
      <Dropzone onFiles={start} />
      {uploads.length > 0 && <UploadsTable uploads={uploads} />}
    </section>
  );
}

/** This session's uploads: each one sent, then followed to its execution and that execution's status. */
function useUploads(): { uploads: Upload[]; start(files: File[]): void } {
  const [uploads, setUploads] = useState<Upload[]>(remembered);
  remembered = uploads;

  const update = (id: number, change: Partial<Upload>): void =>
    setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const start = (files: File[]): void => {
    const added = files.map((file): Upload => {
      const isImage = IMAGE_TYPES.includes(file.type);
      return {
        id: nextId++,
        name: file.name,
        size: file.size,
        // Only types a browser draws: a TIFF or HEIC preview would be a broken image.
        preview: PREVIEWABLE.includes(file.type) ? URL.createObjectURL(file) : undefined,
        state: isImage ? 'uploading' : 'refused',
        error: isImage
          ? undefined
          : `Not an image the pipeline reads (${file.type || 'unknown type'}): choose JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF.`,
      };
    });
    setUploads((list) => [...added, ...list]);
    added.forEach((upload, i) => {
      if (upload.state === 'refused') return;
      const uploadedAt = new Date(Date.now() - 1000).toISOString();
      uploadImage(files[i]).then(
        (r) => update(upload.id, { state: 'uploaded', imageId: r.imageId, uploadedAt }),
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
  return { uploads, start };
}

const PREVIEWABLE = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'];

/** Where images are dropped, or chosen with its button. */
function Dropzone({ onFiles }: { onFiles(files: File[]): void }) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) onFiles(files);
  };

  return (
    // A labelled region: the drop target for a mouse; the button inside is the way in for a keyboard.
    <section
      class={`dropzone${over ? ' over' : ''}`}
      aria-labelledby="dropzone-title"
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div class="dropzone-icon" aria-hidden="true">
        ⇪
      </div>
      <h2 class="dropzone-title" id="dropzone-title">
        Drop images here
      </h2>
      <button type="button" class="button primary" data-testid="choose-images" onClick={() => input.current?.click()}>
        Choose images
      </button>
      <div class="muted">JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF</div>
      <input
        ref={input}
        type="file"
        multiple
        accept={IMAGE_TYPES.join(',')}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = [...((e.target as HTMLInputElement).files ?? [])];
          (e.target as HTMLInputElement).value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </section>
  );
}

function UploadsTable({ uploads }: { uploads: Upload[] }) {
  return (
    <div class="card flush">
      <table class="grid uploads cards-on-phone" data-testid="uploads">
        <thead>
          <tr>
            <th>
              <span class="visually-hidden">Preview</span>
            </th>
            <th>File</th>
            <th class="num">Size</th>
            <th>Status</th>
            <th>
              <span class="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {uploads.map((u) => (
            <UploadRow key={u.id} upload={u} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UploadRow({ upload: u }: { upload: Upload }) {
  return (
    <tr data-upload={u.name} data-status={u.execution?.status ?? u.state}>
      <td class="preview">
        {u.preview ? (
          <img
            src={u.preview}
            alt=""
            onError={(e) => {
              // A file that says it is an image but does not decode: no broken-image icon.
              (e.currentTarget as HTMLImageElement).hidden = true;
            }}
          />
        ) : null}
      </td>
      <td data-label="File">{u.name}</td>
      <td class="num" data-label="Size">
        {formatBytes(u.size)}
      </td>
      <td data-label="Status">
        {u.state === 'uploading' && <span class="muted">Uploading…</span>}
        {(u.state === 'failed' || u.state === 'refused') && (
          <span class="text-failed" data-testid="upload-error">
            {u.state === 'refused' ? 'Not sent' : 'Upload failed'}: {u.error}
          </span>
        )}
        {u.state === 'uploaded' && (u.execution ? <StatusBadge status={u.execution.status} /> : <span class="muted">Starting…</span>)}
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
  );
}
