import { connect, createServer } from 'node:net';

/**
 * A byte-copying TCP proxy, the benchmarks' floor for a Node.js proxy: every client connection
 * gets its own upstream connection and bytes are copied both ways as they arrive. Nothing is
 * parsed, counted or logged, so its CPU per request is what Node.js itself costs for the two
 * reads and two writes of a proxied exchange. Not a product server: it exists to be measured.
 *
 * Usage: node copy-proxy-main.js <listen host> <listen port> <upstream host> <upstream port>
 */
const [host, port, upHost, upPort] = process.argv.slice(2);
if (!host || !port || !upHost || !upPort || !Number.isInteger(Number(port)) || !Number.isInteger(Number(upPort))) {
  process.stderr.write('usage: copy-proxy-main <listen host> <listen port> <upstream host> <upstream port>\n');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(Number(upPort), upHost);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on('data', (chunk) => { if (!upstream.write(chunk)) client.pause(); });
  upstream.on('drain', () => client.resume());
  upstream.on('data', (chunk) => { if (!client.write(chunk)) upstream.pause(); });
  client.on('drain', () => upstream.resume());
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('error', () => client.destroy());
  upstream.on('error', () => upstream.destroy());
});
server.on('error', (err) => {
  process.stderr.write(`copy proxy: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(port), host);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
