/**
 * A DeliveryHandler that only welcomes: no channels, no messages. Used when the gateway runs
 * without delivery (edge-only tests, or no Kafka configured).
 */
import { PROTOCOL } from '@ces/contracts/protocol';
import type { DeliveryHandler } from '../../ports/delivery.ts';

export function welcomeOnlyHandler(node: string, heartbeatIntervalMs: number): DeliveryHandler {
  return {
    async open(conn) {
      return { type: 'welcome', protocol: PROTOCOL, sessionId: conn.session.sessionId, node, channels: [], recovered: true, heartbeatIntervalMs };
    },
    async frame() {},
    close() {},
  };
}
