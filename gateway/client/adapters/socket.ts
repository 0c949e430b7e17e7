/**
 * The one thing the client needs from a WebSocket implementation. `browserSocket` wraps the
 * WHATWG WebSocket (browsers, Deno, Node >= 22's global); `ws-socket.ts` wraps the `ws` package.
 */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
}

export interface ClientSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string, protocol: string, handlers: SocketHandlers) => ClientSocket;

/** Uses `globalThis.WebSocket`. */
export const browserSocket: SocketFactory = (url, protocol, handlers) => {
  const Ctor = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!Ctor) throw new Error('no global WebSocket: pass the ws adapter (gateway/client/adapters/ws-socket.ts)');
  const socket = new Ctor(url, protocol);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  };
  socket.onclose = (event) => handlers.onClose(event.code, event.reason);
  return {
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
  };
};
