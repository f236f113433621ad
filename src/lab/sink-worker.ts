// Worker-thread entry of the lab's sink: the sink and the application it serves run on their own
// event loop, so that the load generators of the same process do not slow the backend down.
import { parentPort, workerData } from 'node:worker_threads';
import { createDemoApp } from '../backend/app.js';
import { createLogger } from '../core/logger.js';
import { createSink, type Arrival } from './sink.js';

interface WorkerInput { app: 'demo' | 'minimal'; host: string }

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('sink-worker must run as a worker thread');
// Absolute monotonic milliseconds, comparable across threads.
const clock = { now: () => Date.now(), monotonic: () => performance.timeOrigin + performance.now() };
const sink = await createSink({
  clock, origin: 0, host: input.host,
  ...(input.app === 'demo' ? { handler: createDemoApp({ logger: createLogger({ level: 'silent' }) }).handler } : {}),
});
let sent = 0;
const flush = () => {
  const all = sink.arrivals();
  if (sent === all.length) return;
  const batch: Arrival[] = all.slice(sent);
  sent = all.length;
  port.postMessage({ type: 'arrivals', batch });
};
const timer = setInterval(flush, 100);
port.on('message', async (msg: { type: string }) => {
  if (msg.type === 'flush') {
    flush();
    port.postMessage({ type: 'flushed' });
  } else if (msg.type === 'close') {
    clearInterval(timer);
    flush();
    await sink.close();
    port.postMessage({ type: 'closed' });
    port.close();
  }
});
port.postMessage({ type: 'ready', port: sink.port, url: sink.url });
