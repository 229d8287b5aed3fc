/** Small helpers shared by the HTTP endpoints (plain Node `http`, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request bodies here are tiny JSON objects; anything bigger is refused. */
const BODY_LIMIT = 16 * 1024;

/** Error with the HTTP status to answer and a message safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Answers JSON; never cached, because token answers are single-use secrets. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** The request's path without the query string ('' if the request target does not parse). */
export function requestPath(req: IncomingMessage): string {
  return URL.parse(req.url ?? '/', 'http://x')?.pathname ?? '';
}

/** One value of a request header (the first, if it was sent several times). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a JSON object body; an empty body is `{}`. Throws HttpError 400/413 on anything else. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'Request body too large.');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
