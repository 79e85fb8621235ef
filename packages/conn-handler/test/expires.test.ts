/** mod_expires in the child (handlers/expires.ts); case http/expires compares responses with apache2. */
import t from 'tap';
import { applyExpires, expiresFor } from '../src/handlers/expires.js';
import type { Table } from '../src/handlers/headers.js';

const now = 1_800_000_000_000_000n;

t.test('type, then major/* when the last configuration with lines has one, then the default', async (t) => {
  const server = { active: true, byType: [['text/plain', 'A3600'], ['image/*', 'A600']] as Array<[string, string]>, default: 'A60', wildcards: true };
  const view = expiresFor(server, [{}, { expires: { byType: [['Text/Plain', 'A10']], wildcards: false } }])!;
  t.equal(view.byType('text/plain'), 'A10', "the later section's line first, names without case");
  t.equal(view.wildcards, false, "the later section's own flag");
  t.equal(expiresFor(server, [{}, {}])!.wildcards, true, 'sections without lines are not merged');
  t.equal(expiresFor({ ...server, active: undefined }, []), undefined, 'ExpiresActive unset: nothing');
  t.equal(expiresFor(server, [{ expires: { active: false, byType: [], wildcards: false } }]), undefined, 'Off in a section');

  const out: Table = [['Cache-Control', 'no-transform']];
  applyExpires(expiresFor(server, [])!, 200, { err: [], out }, 'image/png; x=y', now, undefined);
  t.same(out, [['Cache-Control', 'no-transform, max-age=600'], ['Expires', new Date(Number(now / 1000n) + 600_000).toUTCString()]]);
});

t.test('errors get nothing; an Expires already there wins; M codes need a file and never go before the request', async (t) => {
  const view = expiresFor({ active: true, byType: [], default: 'M100', wildcards: false }, [])!;
  const none: Table = [];
  applyExpires(view, 404, { err: [], out: none }, 'text/html', now, now);
  applyExpires(view, 200, { err: [], out: none }, 'text/html', now, undefined);
  t.same(none, []);
  const preset: Table = [['Expires', 'x']];
  applyExpires(view, 200, { err: [], out: preset }, 'text/html', now, now);
  t.same(preset, [['Expires', 'x']]);
  const old: Table = [];
  applyExpires(view, 200, { err: [], out: old }, 'text/html', now, now - 1_000_000_000n);
  t.same(old[0], ['Cache-Control', 'max-age=0'], 'an expiry already past is the request time');
});
