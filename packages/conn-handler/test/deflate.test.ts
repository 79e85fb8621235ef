/**
 * mod_deflate in the child (handlers/deflate.ts). Case http/deflate compares compressed bodies
 * byte for byte with apache2's; here the decisions and the gzip member itself.
 */
import t from 'tap';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, deflateResponse, filterByTypeApplies, gzipLikeApache } from '../src/handlers/deflate.js';
import type { DeflateSettings } from '../src/config.js';

const settings: DeflateSettings = { level: -1, memLevel: 9, windowSize: -15, bufferSize: 8096, etag: 'AddSuffix' };
const text = Buffer.from('prefork '.repeat(200));

t.test('the gzip member: Apache header, a raw stream any gzip reader takes, CRC and length', async (t) => {
  const gz = gzipLikeApache(text, settings);
  t.ok(gz, 'the system zlib loads');
  t.same([...gz!.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  t.same(gunzipSync(gz!), text);
  t.equal(gz!.readUInt32LE(gz!.length - 4), text.length);
  t.same(gunzipSync(gzipLikeApache(Buffer.alloc(0), settings)!), Buffer.alloc(0), 'an empty body');
});

t.test('Accept-Encoding: the gzip token exactly, q=0 refuses', async (t) => {
  t.ok(acceptsGzip('gzip'));
  t.ok(acceptsGzip('br, deflate,  GZIP;q=0.5'));
  t.notOk(acceptsGzip('x-gzip'));
  t.notOk(acceptsGzip('gzip;q=0'));
  t.notOk(acceptsGzip('gzip;q=0.000'));
  t.ok(acceptsGzip('gzip;q=0.001'));
  t.ok(acceptsGzip('gzip;Q=0'), 'q is compared with case');
  t.ok(acceptsGzip('gzip;level=1;q=0'), 'only the first parameter is read');
  t.notOk(acceptsGzip('gzip ; q=0'), 'spaces around the parameter');
  t.notOk(acceptsGzip(''));
});

t.test('AddOutputFilterByType matches the type before its parameters, exactly', async (t) => {
  const lists = [[{ filter: 'deflate', types: ['text/html'] }], undefined];
  t.ok(filterByTypeApplies(lists, 'deflate', 'text/html; charset=utf-8'));
  t.notOk(filterByTypeApplies(lists, 'deflate', 'text/HTML'));
  t.notOk(filterByTypeApplies(lists, 'deflate', 'text/plain'));
  t.notOk(filterByTypeApplies(lists, 'deflate', undefined));
});

t.test('the decision and its header changes', async (t) => {
  const headers = (): Array<[string, string]> => [['ETag', '"1-2"'], ['Content-Length', String(text.length)]];
  const small = headers();
  t.same(deflateResponse(settings, small, Buffer.alloc(68), { acceptEncoding: 'gzip' }), {}, '68 bytes or less: untouched');
  t.same(small, headers(), 'not even Vary');
  const refused = headers();
  t.same(deflateResponse(settings, refused, text, {}), {});
  t.same(refused, [...headers(), ['Vary', 'Accept-Encoding']], 'Vary when the client does not take gzip');
  const encoded = headers();
  t.same(deflateResponse(settings, encoded, text, { acceptEncoding: 'gzip', contentEncoding: 'x-foo' }), {});
  t.same(encoded, headers(), 'already encoded: untouched');
  t.same(deflateResponse(settings, headers(), text, { acceptEncoding: 'gzip', env: new Map([['no-gzip', '1']]) }), {});
  const done = headers();
  const d = deflateResponse(settings, done, text, { acceptEncoding: 'gzip' });
  t.ok(d.body);
  t.same(done, [['ETag', '"1-2-gzip"'], ['Vary', 'Accept-Encoding'], ['Content-Encoding', 'gzip']], 'length removed (counted again), ETag suffixed');
  const forced = headers();
  t.ok(deflateResponse({ ...settings, etag: 'Remove' }, forced, text, { env: new Map([['force-gzip', '1']]) }).body, 'force-gzip');
  t.equal(forced.find(([k]) => k === 'ETag'), undefined, 'DeflateAlterETag Remove');
});
