/*
 * Where one HTTP/1.x response stands while its bytes arrive on a kept-alive connection:
 * the status line and headers, then the body framed by Content-Length, chunked encoding
 * (with trailers) or the connection's close. `reusable` says whether the connection can
 * carry the next request. Bytes are fed as latin1 strings (one char per byte).
 */

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 256 * 1024;

type Framing =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; state: 'size' | 'data' | 'crlf' | 'trailer'; remaining: number }
  | { kind: 'close' };

/** Where a response stands while it is read from one connection. */
export class ResponseReader {
  private head = '';
  status: number | undefined;
  private framing: Framing | undefined;
  private keepAlive = true;
  private bodyBytes = 0;
  private buffered = '';
  done = false;
  /** The connection can carry another request after this response. */
  reusable = false;

  /** Feeds bytes; returns an error text when the response is malformed. */
  feed(chunk: string): string | undefined {
    if (this.status === undefined) {
      this.head += chunk;
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return this.head.length > MAX_HEAD ? 'response headers too large' : undefined;
      const err = this.parseHead(this.head.slice(0, end));
      if (err) return err;
      chunk = this.head.slice(end + 4);
      this.head = '';
    }
    return this.body(chunk);
  }

  private parseHead(head: string): string | undefined {
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!m) return 'not an HTTP response';
    this.status = Number(m[2]);
    let length: number | undefined;
    let chunked = false;
    this.keepAlive = m[1] === '1';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line
        .slice(colon + 1)
        .trim()
        .toLowerCase();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding')
        chunked = value.split(',').some((v) => v.trim() === 'chunked');
      else if (name === 'connection') {
        if (value.includes('close')) this.keepAlive = false;
        else if (value.includes('keep-alive')) this.keepAlive = true;
      }
    }
    const noBody =
      this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200);
    if (noBody) this.framing = { kind: 'length', remaining: 0 };
    else if (chunked) this.framing = { kind: 'chunked', state: 'size', remaining: 0 };
    else if (length !== undefined && Number.isInteger(length) && length >= 0)
      this.framing = { kind: 'length', remaining: length };
    else this.framing = { kind: 'close' };
    return undefined;
  }

  private body(chunk: string): string | undefined {
    const f = this.framing;
    if (!f) return undefined;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > MAX_BODY) return this.finish(false);
    if (f.kind === 'close') return undefined; // ends with the connection
    if (f.kind === 'length') {
      f.remaining -= chunk.length;
      if (f.remaining < 0) return 'more bytes than Content-Length';
      if (f.remaining === 0) this.finish(this.keepAlive);
      return undefined;
    }
    this.buffered += chunk;
    for (;;) {
      if (f.state === 'data') {
        const take = Math.min(f.remaining, this.buffered.length);
        this.buffered = this.buffered.slice(take);
        f.remaining -= take;
        if (f.remaining > 0) return undefined;
        f.state = 'crlf';
      }
      const eol = this.buffered.indexOf('\r\n');
      if (eol < 0) return this.buffered.length > MAX_HEAD ? 'bad chunked encoding' : undefined;
      const line = this.buffered.slice(0, eol);
      this.buffered = this.buffered.slice(eol + 2);
      if (f.state === 'crlf') {
        if (line !== '') return 'bad chunked encoding';
        f.state = 'size';
      } else if (f.state === 'size') {
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isInteger(size) || size < 0) return 'bad chunked encoding';
        if (size === 0) f.state = 'trailer';
        else {
          f.state = 'data';
          f.remaining = size;
        }
      } else if (line === '') {
        // The empty line after the (usually absent) trailers ends the message.
        if (this.buffered.length > 0) return 'bytes after the end of the response';
        this.finish(this.keepAlive);
        return undefined;
      }
    }
  }

  private finish(reusable: boolean): undefined {
    this.done = true;
    this.reusable = reusable;
    return undefined;
  }
}
