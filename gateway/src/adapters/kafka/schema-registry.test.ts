/**
 * Avro and Protobuf decoding through the schema registry path. No Confluent registry can run on
 * this machine, so a tiny in-process HTTP fake serves the registry API the library calls
 * (register schema → id, fetch schema by id); the bytes are made by the library's own encoder.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { schemaRegistryDecoder } from './schema-registry.ts';
import { decodeRecord } from '../../core/decode.ts';

function fakeRegistry(): Server {
  const schemas: { schema: string; schemaType?: string }[] = [];
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
      const url = req.url ?? '';
      if (req.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(url)) {
        schemas.push(JSON.parse(body) as { schema: string; schemaType?: string });
        res.end(JSON.stringify({ id: schemas.length }));
      } else if (req.method === 'GET' && url.startsWith('/schemas/ids/')) {
        const found = schemas[Number(url.split('/').at(-1)) - 1];
        res.statusCode = found ? 200 : 404;
        res.end(JSON.stringify(found ?? { error_code: 40403, message: 'Schema not found' }));
      } else if (url.startsWith('/config')) {
        res.end(JSON.stringify({ compatibilityLevel: 'BACKWARD' }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error_code: 40401, message: 'not found' }));
      }
    });
  });
}

const record = (value: Buffer) => ({ topic: 't', partition: 0, offset: '0', timestamp: '0', key: null, value, headers: {} });

describe('schema registry decoding (fake registry over HTTP)', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = fakeRegistry();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('decodes Avro and Protobuf records encoded against the registry', async () => {
    const registry = new SchemaRegistry({ host: url });
    const avro = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'Order', namespace: 'ces', fields: [{ name: 'id', type: 'int' }, { name: 'note', type: 'string' }] }) },
      { subject: 'orders-value' },
    );
    const proto = await registry.register(
      { type: SchemaType.PROTOBUF, schema: 'syntax = "proto3"; package ces; message Ping { string text = 1; int32 n = 2; }' },
      { subject: 'pings-value' },
    );
    const decode = schemaRegistryDecoder(url);
    const avroBytes = await registry.encode(avro.id, { id: 7, note: 'paid' });
    const protoBytes = await registry.encode(proto.id, { text: 'hi', n: 3 });
    assert.deepEqual(await decodeRecord(record(avroBytes), { format: 'avro', maxRecordBytes: 1000 }, decode), { ok: true, data: { id: 7, note: 'paid' } });
    const decodedProto = await decodeRecord(record(protoBytes), { format: 'protobuf', maxRecordBytes: 1000 }, decode);
    assert.deepEqual(decodedProto, { ok: true, data: { text: 'hi', n: 3 } });
  });

  it('turns bytes without the wire format, unknown schema ids and truncated payloads into decode rejections', async () => {
    const decode = schemaRegistryDecoder(url);
    const cases = [Buffer.from('{"json":"not avro"}'), Buffer.from([0, 0, 0, 0, 99, 1, 2]), Buffer.from([0, 0, 0, 0, 1, 0x80])];
    for (const bytes of cases) {
      const result = await decodeRecord(record(bytes), { format: 'avro', maxRecordBytes: 1000 }, decode);
      assert.equal(result.ok ? 'ok' : result.reason, 'decode');
    }
  });
});
