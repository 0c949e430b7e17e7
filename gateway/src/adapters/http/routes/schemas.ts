/** JSON Schemas shared by the route groups; they drive validation, serialization and the OpenAPI document. */
import { ErrorCatalogue } from '../../../errors.ts';

export const errorSchema = {
  type: 'object',
  description: 'Every error: seed 000 §6.1 error body with a stable errorCode (see docs/gateway-edge.md).',
  required: ['status', 'message', 'errorCode'],
  properties: {
    status: { type: 'string', enum: ['error'] },
    message: { type: 'string' },
    errorCode: { type: 'string', enum: Object.keys(ErrorCatalogue) },
  },
} as const;

/** Error responses by status, for a route's `response` map. */
export function errors(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema]));
}

export const sessionIdParam = {
  type: 'object',
  required: ['sessionId'],
  additionalProperties: false,
  properties: { sessionId: { type: 'string', description: 'Session id (22–128 base64url characters).' } },
} as const;

export const bearerAuth = [{ backendToken: [] }];

export const sessionView = {
  type: 'object',
  required: ['sessionId', 'customerId', 'rooms', 'state', 'createdAt', 'expiresAt', 'connected'],
  properties: {
    sessionId: { type: 'string' },
    customerId: { type: 'string' },
    rooms: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: ['created', 'registered', 'revoked', 'expired'] },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    connected: { type: 'boolean', description: 'A WebSocket of this session is open on some gateway.' },
    node: { type: 'string', description: 'Gateway holding the live connection, when connected.' },
  },
} as const;
