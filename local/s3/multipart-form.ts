/**
 * A streaming multipart/form-data reader for S3's browser-form POST: small fields are read whole (up
 * to a limit), the file part is handed out as a stream, never buffered.
 *
 * Why not busboy: the copy in node_modules is 0.3.1, a leftover of s3rver (not in package.json), and
 * its parser dicer 0.3.0 throws an uncaught TypeError on a header line starting with a space
 * (CVE-2022-24434, GHSA-wm7h-9275-46v2): exactly the one-request crash this endpoint must not have.
 * busboy 1.x fixes it but is not installed. This reader throws only MultipartError, which the caller
 * answers as S3's MalformedPOSTRequest.
 */
import { Readable } from 'node:stream';

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

export interface FormPart {
  /** The field name, as sent (S3 compares names case-insensitively). */
  name: string;
  /** Present on a file part. */
  filename?: string;
  contentType?: string;
}

export interface MultipartLimits {
  /** Largest header block of one part. */
  maxHeaderBytes: number;
  /** Largest value of a field read whole. */
  maxFieldBytes: number;
}

/** The boundary of a `multipart/form-data; boundary=...` Content-Type, or undefined. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

export class MultipartReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private started = false;
  private finished = false;
  private readonly source: AsyncIterator<Buffer>;
  private readonly delimiter: Buffer;

  constructor(
    body: Readable,
    boundary: string,
    private readonly limits: MultipartLimits,
  ) {
    // Not destroyed when we stop early: the request must stay open for the error answer.
    this.source = body.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** The next part's headers, or undefined after the closing boundary. Read its value before asking again. */
  async nextPart(): Promise<FormPart | undefined> {
    if (this.finished) return undefined;
    if (!this.started) {
      // The first boundary may come without its CRLF; a preamble before it is ignored.
      this.buffer = Buffer.concat([Buffer.from('\r\n'), this.buffer]);
      await this.until(this.delimiter, this.limits.maxHeaderBytes, 'preamble too long');
      this.started = true;
    }
    const after = await this.take(2);
    if (after.toString() === '--') {
      this.finished = true;
      return undefined;
    }
    if (after.toString() !== '\r\n') throw new MultipartError('bad boundary line');
    const head = (await this.until(Buffer.from('\r\n\r\n'), this.limits.maxHeaderBytes, 'part headers too long')).toString('utf8');
    return parsePartHeaders(head);
  }

  /** The current part's value, whole; at most maxFieldBytes. */
  async readValue(): Promise<Buffer> {
    return this.until(this.delimiter, this.limits.maxFieldBytes, 'form field too long');
  }

  /** The current part's value as a stream (the file); the reader moves past it once it ends. */
  streamValue(): Readable {
    const reader = this;
    return Readable.from(
      (async function* () {
        for (;;) {
          const at = reader.buffer.indexOf(reader.delimiter);
          if (at >= 0) {
            if (at > 0) yield Buffer.from(reader.buffer.subarray(0, at));
            reader.buffer = reader.buffer.subarray(at + reader.delimiter.length);
            return;
          }
          // Keep what could be the start of a delimiter split across chunks.
          const keep = reader.delimiter.length - 1;
          if (reader.buffer.length > keep) {
            yield Buffer.from(reader.buffer.subarray(0, reader.buffer.length - keep));
            reader.buffer = reader.buffer.subarray(reader.buffer.length - keep);
          }
          if (!(await reader.fill())) throw new MultipartError('the form ends inside the file');
        }
      })(),
      { objectMode: false },
    );
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length === 0 ? (next.value as Buffer) : Buffer.concat([this.buffer, next.value as Buffer]);
    return true;
  }

  private async take(count: number): Promise<Buffer> {
    while (this.buffer.length < count) if (!(await this.fill())) throw new MultipartError('the form ends early');
    const out = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return out;
  }

  private async until(delimiter: Buffer, max: number, tooLong: string): Promise<Buffer> {
    let from = 0;
    for (;;) {
      const at = this.buffer.indexOf(delimiter, from);
      if (at >= 0) {
        if (at > max) throw new MultipartError(tooLong);
        const out = this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + delimiter.length);
        return out;
      }
      if (this.buffer.length > max + delimiter.length) throw new MultipartError(tooLong);
      from = Math.max(0, this.buffer.length - delimiter.length + 1);
      if (!(await this.fill())) throw new MultipartError('the form ends early');
    }
  }
}

/** `Content-Disposition: form-data; name="x"; filename="y"` and `Content-Type` of one part. */
function parsePartHeaders(head: string): FormPart {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /^\s/.test(line)) throw new MultipartError('bad part header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) throw new MultipartError('a part without Content-Disposition: form-data');
  const name = dispositionParameter(disposition, 'name');
  if (name === undefined) throw new MultipartError('a part without a name');
  return { name, filename: dispositionParameter(disposition, 'filename'), contentType };
}

function dispositionParameter(disposition: string, parameter: string): string | undefined {
  const match = new RegExp(`;\\s*${parameter}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(disposition);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}
