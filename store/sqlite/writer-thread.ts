// The SQLite check writer's own thread (threaded-writer.ts starts it when no thread hosts the
// writer): the service of writer-service.ts on the thread's port.

import { parentPort, workerData } from 'node:worker_threads';
import { type WriterThreadData, serve } from './writer-service.ts';

if (parentPort === null) throw new Error('writer-thread.ts runs only as a worker thread (threaded-writer.ts)');
serve(parentPort, workerData as WriterThreadData);
