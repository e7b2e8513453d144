// Preloaded by `npm start` (--import) in every thread of the product: keeps Node's compile cache,
// which holds the type-stripped TypeScript and V8's code, between starts. With the cache warm a
// thread never loads Node's type stripper (a WebAssembly build of swc): ~16 MB less RSS per thread,
// three threads with every role (docs/architecture.md, Memory). The first start fills it.
//
// The directory is the installing user's (node_modules/.cache), never a shared temporary one: the
// cache holds code that runs. NODE_COMPILE_CACHE, when set (the Docker image sets it to a folder
// of its volume), wins: Node enables that one before this runs. A directory that cannot be
// written only means no cache; the product starts as before.

import module from 'node:module';
import { fileURLToPath } from 'node:url';

module.enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/downtime-monitor-compile', import.meta.url)));
// Node writes the cache at a clean exit; a process that is killed would never write it.
setTimeout(() => module.flushCompileCache(), 30_000).unref();
