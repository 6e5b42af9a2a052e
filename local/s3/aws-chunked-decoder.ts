/**
 * Decodes an `aws-chunked` request body (`<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n
 * <trailers>\r\n\r\n`) back into the object's bytes. Current AWS SDKs and the AWS CLI send uploads
 * this way by default (to carry a trailing checksum); stored undecoded, the framing would become part
 * of the object — silent corruption (s3rver 3.7 did that).
 */
import { Transform, type TransformCallback } from 'node:stream';

export class AwsChunkedDecoder extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private state: 'header' | 'data' | 'data-end' | 'trailer' = 'header';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state === 'data' || (this.state === 'header' && this.buffer.length > 0)) {
      callback(new Error('aws-chunked body ended in the middle of a chunk'));
    } else {
      callback();
    }
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'header') {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        const size = parseInt(this.buffer.subarray(0, end).toString('latin1').split(';')[0], 16);
        if (Number.isNaN(size)) throw new Error('malformed aws-chunked chunk header');
        this.buffer = this.buffer.subarray(end + 2);
        this.remaining = size;
        this.state = size === 0 ? 'trailer' : 'data';
      } else if (this.state === 'data') {
        if (this.buffer.length === 0) return;
        const take = Math.min(this.remaining, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
      } else if (this.state === 'data-end') {
        if (this.buffer.length < 2) return;
        this.buffer = this.buffer.subarray(2);
        this.state = 'header';
      } else {
        // Trailing checksum headers: not needed to store the object.
        this.buffer = Buffer.alloc(0);
        return;
      }
    }
  }
}

/** True when a request's body is aws-chunked framed. */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}
