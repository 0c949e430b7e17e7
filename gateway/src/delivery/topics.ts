/**
 * Per-topic runtime settings, built once from config: decode format, compiled JSON Schema
 * validator (ajv, compiled at start so a bad schema fails startup), routing.
 */
import Ajv from 'ajv';
import type { DecodeSettings, Validator } from '../core/decode.ts';
import type { RoutingSettings } from '../core/route.ts';
import { DEFAULT_TOPIC_SETTINGS, type TopicSettings } from '../config/delivery-schema.ts';

export interface TopicRuntimeSettings {
  decode: DecodeSettings;
  routing: RoutingSettings;
}

export interface TopicRuntime {
  settings(topic: string): TopicRuntimeSettings;
  /** True when some topic needs the schema registry. */
  needsRegistry: boolean;
}

function compile(ajv: Ajv.Ajv, topic: string, schema: object): Validator {
  let validate: Ajv.ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    throw new Error(`kafka.topicSettings.${topic}.schema is not a valid JSON Schema: ${(err as Error).message}`, { cause: err });
  }
  return (data) => (validate(data) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'value' }));
}

export function createTopicRuntime(settings: Record<string, TopicSettings>, maxRecordBytes: number): TopicRuntime {
  const ajv = new Ajv({ allErrors: false });
  const byTopic = new Map<string, TopicRuntimeSettings>();
  for (const [topic, s] of Object.entries(settings)) {
    const decode: DecodeSettings = { format: s.format, maxRecordBytes };
    if (s.schema) decode.validate = compile(ajv, topic, s.schema);
    byTopic.set(topic, { decode, routing: s.routing });
  }
  const fallback: TopicRuntimeSettings = { decode: { format: 'json', maxRecordBytes }, routing: DEFAULT_TOPIC_SETTINGS.routing };
  return {
    settings: (topic) => byTopic.get(topic) ?? fallback,
    needsRegistry: Object.values(settings).some((s) => s.format !== 'json'),
  };
}
