// test/integration/relay-errors-utf8.test.mjs: an error whose message quotes the client's input
// (a long model name of multi-byte characters, cut inside a character when the message is
// bounded) still comes back as a JSON error with its status (One API answers an unknown model with 503), in the caller's format, never as
// an empty 200.
//
//   cd test/integration && node --test relay-errors-utf8.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import { setupRelay } from './relay-lib.mjs';

describe('errors quoting long non-ASCII input', () => {
  let R;
  let key;

  before(async () => {
    R = await setupRelay();
    await R.channel({ models: 'gpt-4o-mini' });
    const user = await R.user('utf8', { quota: 100000000 });
    key = (await R.token(user, { unlimited_quota: true })).key;
  });
  after(async () => { await R?.stop(); });

  // the message is bounded at 1 KiB: one of these two is cut inside a character
  for (const lead of ['', 'x']) {
    it(`a model name of 600 two-byte characters after ${lead.length} ASCII: a JSON error with its status`, async () => {
      const model = lead + 'é'.repeat(600);
      let r = await api(R.base, 'POST', '/v1/chat/completions', { token: `sk-${key}`, body: { model, messages: [{ role: 'user', content: 'hi' }] } });
      assert.ok(r.status >= 400, `HTTP ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(typeof r.json?.error?.message, 'string', `not an OpenAI error: ${r.text.slice(0, 200)}`);
      r = await api(R.base, 'POST', '/v1/messages', {
        headers: { 'x-api-key': `sk-${key}`, 'anthropic-version': '2023-06-01' },
        body: { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      });
      assert.ok(r.status >= 400, `HTTP ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.json?.type, 'error', `not a Claude error: ${r.text.slice(0, 200)}`);
      assert.equal(typeof r.json.error?.message, 'string');
    });
  }
});
