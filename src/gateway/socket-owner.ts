import type { Socket } from 'node:net';

/** What serves a client connection read without node:http: one object per connection. */
export interface SocketOwner {
  data(chunk: Buffer): void;
  /** The client's FIN: nothing more will come (sockets of the HTTP server are half-open capable). */
  end(): void;
  closed(): void;
  /** No byte either way for the socket's timeout. */
  idle(): void;
}

const kOwner = Symbol('ddos-shield.socketOwner');
type Owned = Socket & { [kOwner]: SocketOwner };

// The socket's listeners are these shared functions (EventEmitter calls them with the socket as
// `this`), not closures made for each connection: a connection costs its owner object alone,
// which matters when hundreds open at once and the collector copies and promotes them together.
function onData(this: Owned, chunk: Buffer): void { this[kOwner].data(chunk); }
function onEnd(this: Owned): void { this[kOwner].end(); }
function onClose(this: Owned): void { this[kOwner].closed(); }
function onIdle(this: Owned): void { this[kOwner].idle(); }
function onError(this: Socket): void { this.destroy(); }

/** Gives the socket's events to `owner`, with an idle timeout of `idleMs` (Node refreshes it on every read and write). */
export function own(socket: Socket, owner: SocketOwner, idleMs: number): void {
  (socket as Owned)[kOwner] = owner;
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('timeout', onIdle);
  socket.on('close', onClose);
  socket.on('error', onError);
  socket.setTimeout(idleMs);
}

/** Takes them back (the socket goes on elsewhere, or ends). */
export function disown(socket: Socket): void {
  socket.setTimeout(0);
  socket.removeListener('data', onData);
  socket.removeListener('end', onEnd);
  socket.removeListener('timeout', onIdle);
  socket.removeListener('close', onClose);
  socket.removeListener('error', onError);
}
