// test/integration/relay-xlate.test.mjs: translation edges the matrix does not
// reach: image URLs fetched and inlined for Gemini (and refused, costing
// nothing, when unreachable), GET/DELETE /v1/responses/{id} sent to the
// channel that produced the response and to nobody else's key, and
// count_tokens estimated for a channel that is not Anthropic.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { api } from './harness.mjs';
import { setupRelay } from './relay-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PNG = fs.readFileSync(path.resolve(here, '../fixtures/vision.png'));

describe('relay: translation edges', () => {
  let ctx, tok, other, gem, resp;

  before(async () => {
    ctx = await setupRelay();
    gem = await ctx.channel({ models: 'gemini-2.5-flash', prefix: 'ge', type: 24 });
    const r = await ctx.root('POST', '/api/channel/', {
      name: 'resp', type: 1, key: 'sk-Xq9vTz2LmW8kRp4Y', base_url: `${ctx.up.base}/or`, other: '',
      models: 'gpt-5-mini', group: 'default', config: '{"api_format":"response"}',
    });
    assert.equal(r.json?.success, true, r.text);
    resp = { prefix: 'or' };
    // the picture a client links to, served next to the fake providers
    ctx.up.route('/img', { fixture: '../vision.png', type: 'image/png' });
    const u1 = await ctx.user('xlate1');
    const u2 = await ctx.user('xlate2');
    tok = await ctx.token(u1, {});
    other = await ctx.token(u2, {});
  });
  after(async () => { await ctx?.stop(); });

  const chatVision = (url) => ({
    model: 'gemini-2.5-flash',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url } }] }],
  });

  it('an image URL reaches Gemini as inlineData with the fetched bytes', async () => {
    ctx.up.reset();
    const r = await ctx.chat(tok.key, chatVision(`${ctx.up.base}/img/picture.png`));
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.choices[0].message.content.length > 0);
    const sent = ctx.up.requestsTo('/ge');
    assert.equal(sent.length, 1);
    const parts = sent[0].json.contents.flatMap((c) => c.parts);
    const img = parts.find((p) => p.inlineData);
    assert.ok(img, JSON.stringify(parts));
    assert.equal(img.inlineData.mimeType, 'image/png');
    assert.equal(img.inlineData.data, PNG.toString('base64'));
    assert.equal(sent[0].status, 200, sent[0].rejected);
  });

  it('an unreachable image URL is a 400 in the caller\'s format, and costs nothing', async () => {
    ctx.up.reset();
    const before = ctx.totals(tok.id);
    let r = await ctx.chat(tok.key, chatVision('http://127.0.0.1:1/nothing.png'));
    assert.equal(r.status, 400, r.text);
    assert.match(r.json.error.message, /cannot fetch image|image/);
    // a Claude client gets Anthropic's shape; a page that is not an image
    ctx.up.route('/page', { text: '<html>not a picture</html>', type: 'text/html' });
    r = await api(ctx.base, 'POST', '/v1/messages', {
      headers: { 'x-api-key': `sk-${tok.key}`, 'anthropic-version': '2023-06-01' },
      body: {
        model: 'gemini-2.5-flash', max_tokens: 100,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: `${ctx.up.base}/page/x.png` } }, { type: 'text', text: 'Describe.' }] }],
      },
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json?.type, 'error', r.text);
    assert.match(r.json.error.message, /page\/x\.png/);
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.equal(ctx.up.requestsTo('/ge').length, 0, 'nothing was sent to Gemini');
    const after = ctx.totals(tok.id);
    assert.equal(after.userQuota, before.userQuota);
    assert.equal(after.logRows, before.logRows);
  });

  it('GET and DELETE /v1/responses/{id} go to the channel that produced it, for its owner only', async () => {
    const r = await api(ctx.base, 'POST', '/v1/responses', {
      token: `sk-${tok.key}`, body: { model: 'gpt-5-mini', input: 'Say hello.' },
    });
    assert.equal(r.status, 200, r.text);
    const id = r.json.id;
    assert.match(id, /^resp_/);
    ctx.up.reset();
    ctx.up.route('/or', (req) => ({ json: { id, object: 'response', status: 'completed', method: req.method } }));
    let g = await api(ctx.base, 'GET', `/v1/responses/${id}`, { token: `sk-${tok.key}` });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.id, id);
    let seen = ctx.up.requestsTo('/or');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, 'GET');
    assert.equal(seen[0].path, `/or/v1/responses/${id}`);
    assert.equal(seen[0].headers.authorization, 'Bearer sk-Xq9vTz2LmW8kRp4Y');
    // another user's key: not found, and the upstream never asked
    g = await api(ctx.base, 'GET', `/v1/responses/${id}`, { token: `sk-${other.key}` });
    assert.equal(g.status, 404, g.text);
    assert.equal(ctx.up.requestsTo('/or').length, 1);
    g = await api(ctx.base, 'DELETE', `/v1/responses/${id}`, { token: `sk-${tok.key}` });
    assert.equal(g.status, 200, g.text);
    seen = ctx.up.requestsTo('/or');
    assert.equal(seen[1].method, 'DELETE');
    // deleted: forgotten here too
    g = await api(ctx.base, 'GET', `/v1/responses/${id}`, { token: `sk-${tok.key}` });
    assert.equal(g.status, 404, g.text);
    ctx.up.unroute('/or');
    // an id we never relayed
    g = await api(ctx.base, 'GET', '/v1/responses/resp_unknown', { token: `sk-${tok.key}` });
    assert.equal(g.status, 404);
    assert.equal(g.json.error.code, 'not_found');
  });

  it('count_tokens on a channel that is not Anthropic answers our estimate, free', async () => {
    const before = ctx.totals(tok.id);
    const r = await api(ctx.base, 'POST', '/v1/messages/count_tokens', {
      headers: { 'x-api-key': `sk-${tok.key}`, 'anthropic-version': '2023-06-01' },
      body: { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'How many tokens is this sentence, roughly?' }] },
    });
    assert.equal(r.status, 200, r.text);
    assert.ok(Number.isInteger(r.json.input_tokens) && r.json.input_tokens > 5 && r.json.input_tokens < 60, r.text);
    assert.equal(ctx.totals(tok.id).userQuota, before.userQuota);
    void gem; void resp;
  });
});
