// A bearer token kept in a file and re-read once a minute, as client-go's cached file token source does:
// the kubelet rewrites a projected ServiceAccount token well before it expires (at 80% of its lifetime), so a
// minute-old copy is always still valid, and no request pays for a file read.
import { readFileSync } from 'node:fs';
import type { TokenSource } from './credentials';

export interface FileTokenSourceOptions {
  /** Re-read after this long. Default 60s. */
  readonly refreshMs?: number;
  readonly now?: () => number;
  readonly readFile?: (file: string) => string;
}

export class FileTokenSource implements TokenSource {
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly readFile: (file: string) => string;
  private cached: string;
  private readAt: number;

  /** Reads the file once now, so a missing or empty token file fails at startup rather than per request. */
  constructor(
    readonly file: string,
    options: FileTokenSourceOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.readFile = options.readFile ?? ((f) => readFileSync(f, 'utf8'));
    this.cached = this.read();
    this.readAt = this.now();
  }

  token(): string {
    if (this.now() - this.readAt >= this.refreshMs) {
      // A failed re-read (the kubelet swapping the file, a transient error) keeps the last good token, which
      // is still valid: the file is refreshed long before expiry. Retried on the next request.
      try {
        this.cached = this.read();
        this.readAt = this.now();
      } catch {
        // Keep the cached token.
      }
    }
    return this.cached;
  }

  private read(): string {
    const token = this.readFile(this.file).trim();
    if (token === '') throw new Error(`token file ${this.file} is empty`);
    return token;
  }
}
