/** ControlBus within one process: gateways built on the same hub reach each other directly. */
import type { ControlBus, KickMessage } from '../../ports/control-bus.ts';

export class MemoryControlHub {
  readonly listeners = new Map<string, (message: KickMessage) => void>();
}

export class MemoryControlBus implements ControlBus {
  readonly #hub: MemoryControlHub;
  #node: string | undefined;

  constructor(hub: MemoryControlHub = new MemoryControlHub()) {
    this.#hub = hub;
  }

  async listen(node: string, onMessage: (message: KickMessage) => void): Promise<void> {
    this.#node = node;
    this.#hub.listeners.set(node, onMessage);
  }

  async send(node: string, message: KickMessage): Promise<void> {
    const listener = this.#hub.listeners.get(node);
    if (listener) queueMicrotask(() => listener({ ...message }));
  }

  async close(): Promise<void> {
    if (this.#node !== undefined) this.#hub.listeners.delete(this.#node);
  }
}
