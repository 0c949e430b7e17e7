/** The client's socket adapter over the `ws` package (Node without a global WebSocket, tests). */
import WebSocket from 'ws';
import type { SocketFactory } from './socket.ts';

export const wsSocket: SocketFactory = (url, protocol, handlers) => {
  const socket = new WebSocket(url, protocol);
  socket.on('open', () => handlers.onOpen());
  socket.on('message', (data, isBinary) => {
    if (!isBinary) handlers.onMessage(data.toString());
  });
  socket.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
  // Errors are followed by 'close'; the client reconnects from there.
  socket.on('error', () => undefined);
  return {
    send: (text) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    close: (code, reason) => socket.close(code, reason),
  };
};
