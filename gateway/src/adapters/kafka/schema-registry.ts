/**
 * Avro/Protobuf decoding through a Confluent-compatible schema registry (wire format: magic byte,
 * 4-byte schema id, payload). Schemas are fetched once per id and cached by the library.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { BinaryDecoder } from '../../core/decode.ts';

export function schemaRegistryDecoder(url: string): BinaryDecoder {
  const registry = new SchemaRegistry({ host: url });
  return async (value) => registry.decode(value);
}
