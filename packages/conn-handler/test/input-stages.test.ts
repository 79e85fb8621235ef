/**
 * mod_reqtimeout's stages in the input stream (http/input.ts): a stage's clock starts at the
 * next read, bytes received extend it by 1/MinRate s each up to the maximum, and a read that
 * times out while a stage runs names the stage. Case http/reqtimeout compares whole exchanges
 * with apache2.
 */
import t from 'tap';
import { PassThrough } from 'node:stream';
import { InputStream } from '../src/http/input.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a stage without MinRate ends at its timeout even while bytes arrive', async (t) => {
  const sock = new PassThrough();
  const input = new InputStream(sock);
  input.armStage('header', { timeout: 1, maxTimeout: 0, minRate: 0 });
  const started = Date.now();
  const feeding = (async () => {
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      sock.write('x');
    }
  })();
  const r = await input.readLine(100, 60_000);
  t.equal(r.kind, 'timeout');
  t.equal(input.timedOutStage, 'header');
  t.ok(Date.now() - started < 10_000, 'ended by the stage (1 s), not by Timeout (60 s); the bytes alone would have gone on for 1.8 s');
  await feeding;
});

t.test('MinRate extends the stage per byte, up to the maximum', async (t) => {
  const sock = new PassThrough();
  const input = new InputStream(sock);
  // 1 s, 100 bytes buy 1 s more, 3 s at most.
  input.armStage('header', { timeout: 1, maxTimeout: 3, minRate: 100 });
  const done = input.readLine(10_000, 60_000);
  for (let i = 0; i < 3; i++) {
    await sleep(600);
    sock.write('y'.repeat(100));
  }
  sock.write('\n');
  const r = await done;
  t.equal(r.kind, 'line', 'completed at 1.8 s, past the first second');
  input.armStage('header', { timeout: 1, maxTimeout: 2, minRate: 100 });
  const late = input.readLine(10_000, 60_000);
  const started = Date.now();
  let sent = 0;
  while ((await Promise.race([late.then(() => true), sleep(400).then(() => false)])) === false && sent < 10) {
    sock.write('z'.repeat(100));
    sent++;
  }
  t.equal((await late).kind, 'timeout');
  t.ok(Date.now() - started < 8000, 'the maximum (2 s) holds; without it the bytes sent would have bought more than 10 s');
});

t.test('no stage: Timeout alone, and the timeout names none; disarm between requests', async (t) => {
  const sock = new PassThrough();
  const input = new InputStream(sock);
  input.armStage('body', { timeout: 0, maxTimeout: 0, minRate: 0 });
  t.equal((await input.readSome(10, 200)), 'timeout');
  t.equal(input.timedOutStage, undefined, 'a stage of 0 is off');
  input.armStage('body', { timeout: 5, maxTimeout: 0, minRate: 0 });
  input.disarmStage();
  t.equal((await input.readSome(10, 200)), 'timeout');
  t.equal(input.timedOutStage, undefined);
});
