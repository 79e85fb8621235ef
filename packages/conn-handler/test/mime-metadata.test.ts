/** mod_mime's find_ct in the child (handlers/mime.ts); case http/mime-metadata compares responses with apache2. */
import t from 'tap';
import { mimeMetadata } from '../src/handlers/mime.js';
import { defaultChildConfig, type ChildConfig } from '../src/config.js';

const cfg: ChildConfig = {
  ...defaultChildConfig(),
  mime: {
    types: { html: 'text/html', txt: 'text/plain', gz: 'application/gzip', tar: 'application/x-tar', png: 'image/png' },
    addType: {}, addCharset: { utf8: 'utf-8' }, addEncoding: { gz: 'x-gzip', z: 'x-compress' }, addLanguage: { de: 'de', en: 'en' },
  },
  sections: [{ kind: 'directory', pattern: '/srv/it', require: [], mime: { addLanguage: { de: 'it' }, addType: { sect: 'text/x-sect' }, defaultLanguage: 'fr' } }],
};

t.test('every extension counts: the last type, each language in order, encodings joined', async (t) => {
  t.same(mimeMetadata(cfg, '/srv/doc.en.de.txt'), { type: 'text/plain', languages: ['en', 'de'] });
  t.same(mimeMetadata(cfg, '/srv/a.tar.gz.z'), { type: 'application/gzip', encoding: 'x-gzip, x-compress' }, 'an encoding does not clear the type');
  t.same(mimeMetadata(cfg, '/srv/notes.utf8.txt'), { type: 'text/plain; charset=utf-8' });
});

t.test('leading dots belong to the name; empty parts are skipped', async (t) => {
  t.same(mimeMetadata(cfg, '/srv/.png'), {});
  t.same(mimeMetadata(cfg, '/srv/bad..html'), { type: 'text/html' });
});

t.test("a section's maps override the server's per extension; DefaultLanguage fills in", async (t) => {
  t.same(mimeMetadata(cfg, '/srv/it/x.de'), { languages: ['it'] });
  t.same(mimeMetadata(cfg, '/srv/it/a.sect'), { type: 'text/x-sect', languages: ['fr'] });
  t.same(mimeMetadata(cfg, '/srv/it/p.en.txt'), { type: 'text/plain', languages: ['en'] });
});
