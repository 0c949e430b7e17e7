/**
 * Avro/Protobuf decoding through a Confluent-compatible schema registry (wire format: magic byte,
 * 4-byte schema id, payload). Schemas are fetched once per id and cached by the library.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { BinaryDecoder } from '../../core/decode.ts';

export function schemaRegistryDecoder(url: string): BinaryDecoder {
  const registry = new SchemaRegistry({ host: url });
  // Avro/Protobuf decoders return class instances; history stores JSON, so hand on plain JSON
  // (the same shape field routing, JSON Schema validation and clients will see).
  return async (value) => JSON.parse(JSON.stringify(await registry.decode(value))) as unknown;
}
