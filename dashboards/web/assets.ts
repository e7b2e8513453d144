// The pages' static files, read once when the routes are mounted and served from memory. Only
// files that were in the folder at start-up can be served, so no request path ever reaches the
// file system (no traversal to worry about), and each answer carries a strong ETag.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export type Asset = { body: Uint8Array<ArrayBuffer>; type: string; etag: string };

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}

/** Every file under `dir` with a known type, keyed by its path relative to `dir` with "/" separators. */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of walk(dir)) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    const bytes = readFileSync(file);
    const body = new Uint8Array(new ArrayBuffer(bytes.byteLength));
    body.set(bytes);
    const etag = '"' + createHash('sha256').update(body).digest('base64url').slice(0, 22) + '"';
    assets.set(relative(dir, file).split(sep).join('/'), { body, type, etag });
  }
  return assets;
}
