// test/integration/ssrf.test.mjs: image URLs the gateway fetches itself (to inline them for
// Gemini) must not reach the operator's own network. By default (USER_CONTENT_ALLOW_PRIVATE
// unset) a URL that resolves to loopback, a private range, link-local (cloud metadata) or
// [::1] is refused, however it is spelled (decimal and hex IPs, localhost), with a clear 400
// in the caller's format; nothing reaches the provider and nothing is charged. With
// USER_CONTENT_ALLOW_PRIVATE=true the same loopback image is fetched and described.
//
//   cd test/integration && node --test ssrf.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { api, sleep } from './harness.mjs';
import { setupRelay } from './relay-lib.mjs';
import { FIXTURES } from '../fake/upstream.mjs';

const PNG = fs.readFileSync(path.join(FIXTURES, '../vision.png'));
const MODEL = 'gemini-2.5-flash';

describe('image URLs and the operator\'s network', () => {
  let img;
  let port;
  const hits = [];

  before(async () => {
    img = http.createServer((req, res) => {
      hits.push(req.url);
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    await new Promise((r) => img.listen(0, '127.0.0.1', r));
    port = img.address().port;
  });
  after(() => new Promise((r) => img.close(r)));

  async function gateway(env) {
    const R = await setupRelay({ env });
    await R.channels([{ prefix: 'gem', type: 24, model: MODEL }]);
    const user = await R.user('viewer', { quota: 100000000 });
    const tok = await R.token(user, { unlimited_quota: true, name: 'v' });
    return { R, user, tok };
  }

  describe('by default', () => {
    let G;
    before(async () => { G = await gateway({ USER_CONTENT_ALLOW_PRIVATE: undefined }); });
    after(async () => { await G?.R.stop(); });

    const money = () => {
      const [u] = G.R.sql(`SELECT quota, used_quota FROM users WHERE id = ${G.user.id}`);
      const [l] = G.R.sql(`SELECT COUNT(*) FROM logs WHERE type = 2 AND user_id = ${G.user.id}`);
      return `${u.join('/')}/${l[0]}`;
    };

    it('refuses loopback, private, link-local and metadata addresses in any spelling, in the caller\'s format, free', async () => {
      const before0 = money();
      const urls = [
        `http://127.0.0.1:${port}/a.png`, `http://localhost:${port}/a.png`, `http://2130706433:${port}/a.png`,
        `http://0x7f000001:${port}/a.png`, `http://[::1]:${port}/a.png`, 'http://10.1.2.3/a.png', 'http://172.16.5.4/a.png',
        'http://192.168.0.10/a.png', 'http://169.254.169.254/latest/meta-data/iam/', 'http://0.0.0.0/a.png',
      ];
      G.R.up.reset();
      hits.length = 0;
      for (const u of urls) {
        // a Chat client
        let r = await api(G.R.base, 'POST', '/v1/chat/completions', {
          token: `sk-${G.tok.key}`,
          body: { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: u } }] }] },
        });
        assert.equal(r.status, 400, `${u}: ${r.text}`);
        assert.match(r.json?.error?.message ?? '', /loopback, private or link-local address/, `${u}: ${r.text}`);
        // a Claude client
        r = await api(G.R.base, 'POST', '/v1/messages', {
          headers: { 'x-api-key': `sk-${G.tok.key}`, 'anthropic-version': '2023-06-01' },
          body: { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: u } }, { type: 'text', text: 'What is this?' }] }] },
        });
        assert.equal(r.status, 400, `${u}: ${r.text}`);
        assert.equal(r.json?.type, 'error', `${u}: not a Claude error: ${r.text}`);
        assert.match(r.json?.error?.message ?? '', /loopback, private or link-local address/);
      }
      assert.deepEqual(hits, [], 'the gateway connected to the image server');
      assert.equal(G.R.up.requests.length, 0, 'a request reached the provider');
      await sleep(300);
      assert.equal(money(), before0, 'something was charged');
    });
  });

  describe('with USER_CONTENT_ALLOW_PRIVATE=true', () => {
    let G;
    before(async () => { G = await gateway({ USER_CONTENT_ALLOW_PRIVATE: 'true' }); });
    after(async () => { await G?.R.stop(); });

    it('fetches the loopback image and the provider gets its bytes', async () => {
      hits.length = 0;
      const r = await api(G.R.base, 'POST', '/v1/chat/completions', {
        token: `sk-${G.tok.key}`,
        body: { model: MODEL, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `http://127.0.0.1:${port}/a.png` } }] }] },
      });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.choices[0].message.content, /PNG image/);
      assert.deepEqual(hits, ['/a.png']);
    });
  });
});
