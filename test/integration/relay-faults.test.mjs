// test/integration/relay-faults.test.mjs: upstream failures and bad client
// input end in a clear OpenAI-shaped error with the right status, and cost
// nothing: the pre-consumed quota is given back, no consume log row is
// written. Each upstream fault has its own channel and model (a 429 or 5xx
// suspends a channel for a while).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultAnswer } from '../fake/upstream.mjs';
import { setupRelay, assertRelayError, fixtureChunks, fixtureUsage, quotaOf, normChunk, sleep, USER_MSG } from './relay-lib.mjs';

const MODELS = ['f-401', 'f-429', 'f-500', 'f-html', 'f-html502', 'f-badjson', 'f-stream500', 'f-reset', 'f-ok', 'f-empty'];

describe('relay: faults and bad input cost nothing', () => {
  let R;
  let user;
  let tok;
  const TOKEN_QUOTA = 5000000;
  const chans = {};

  before(async () => {
    R = await setupRelay({ options: { ModelRatio: Object.fromEntries(MODELS.map((m) => [m, 1])), CompletionRatio: Object.fromEntries(MODELS.map((m) => [m, 1])) } });
    for (const m of MODELS) chans[m] = await R.channel({ models: m, prefix: m });
    user = await R.user('erin', { quota: 100000000 });
    tok = await R.token(user, { remain_quota: TOKEN_QUOTA, unlimited_quota: false, name: 'erin-key' });
    const route = (m, a) => R.up.route(`/${m}`, a);
    route('f-401', { status: 401, json: { error: { message: 'Incorrect API key provided: sk-abc***xyz.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
    route('f-429', { status: 429, json: { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', param: null, code: 'rate_limit_exceeded' } } });
    route('f-500', { status: 500, json: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } } });
    route('f-html', { status: 200, text: '<html><body><h1>Welcome to nginx!</h1></body></html>', type: 'text/html' });
    route('f-html502', { status: 502, text: '<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>', type: 'text/html' });
    route('f-badjson', { status: 200, text: '{"id":"chatcmpl-x","choices":[{"index":0,"mess', type: 'application/json' });
    route('f-empty', { status: 200, text: '', type: 'application/json' });
    route('f-stream500', { status: 500, json: { error: { message: 'stream broke before it started', type: 'server_error', param: null, code: null } } });
    route('f-reset', (req, json) => ({ ...defaultAnswer(req, json), resetAfterEvents: 4 }));
  });
  after(async () => { await R?.stop(); });

  /** Run fn, then check that nothing was charged and nothing held. */
  async function costsNothing(fn) {
    const before = R.totals(tok.id);
    const out = await fn();
    await sleep(150);	// a settlement running after the answer
    const after = R.totals(tok.id);
    assert.deepEqual(after, { ...before, userRequests: after.userRequests }, 'quota moved or a consume log row was written');
    assert.equal(after.tokenRemain + after.tokenUsed, TOKEN_QUOTA, 'a pre-consumed hold was not given back');
    return out;
  }
  const ask = (model, extra = {}) => R.chat(tok.key, { model, messages: USER_MSG, ...extra });

  for (const [m, status, re] of [
    ['f-401', 401, /Incorrect API key provided/],
    ['f-429', 429, null],	// One API may replace the message ("当前分组上游负载已饱和，请稍后再试")
    ['f-500', 500, /The server had an error while processing your request/],
  ]) {
    it(`upstream ${status}: passed through with the upstream status in OpenAI shape, nothing charged`, async () => {
      const r = await costsNothing(() => ask(m));
      const e = assertRelayError(r, status, m);
      if (re) assert.match(e.message, re);
    });
  }

  it('upstream 500 on a stream request: a JSON error (not SSE) with status 500, nothing charged', async () => {
    const r = await costsNothing(() => ask('f-stream500', { stream: true }));
    const e = assertRelayError(r, 500, 'f-stream500');
    assert.match(e.message, /stream broke before it started/);
  });

  for (const [m, what, status] of [
    ['f-html', 'HTML with status 200', [502]],
    ['f-badjson', 'truncated JSON', [502]],
    ['f-empty', 'an empty body', [502]],
    ['f-html502', 'HTML with status 502', [502, 500, 503]],
  ]) {
    it(`upstream answers ${what}: a clear OpenAI-shaped error (${status.join('/')}), nothing charged, no HTML leaked`, async () => {
      const r = await costsNothing(() => ask(m));
      const e = assertRelayError(r, status, m);
      assert.ok(!/<html/i.test(r.text), `the upstream's HTML reached the client: ${r.text}`);
      assert.ok(e.message.length > 20, e.message);
    });
  }

  it('upstream resets mid-stream: the client gets what was sent, then an error or an end; charged only for what was produced', async () => {
    const before = R.totals(tok.id);
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${tok.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'f-reset', messages: USER_MSG, stream: true }),
      signal: AbortSignal.timeout(20000),
    });
    let text = '';
    try { text = await res.text(); } catch { /* the connection may be cut too */ }
    const requestId = res.headers.get('x-oneapi-request-id');
    assert.equal(res.status, 200);
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    const chunks = events.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    const sent = fixtureChunks('openai-chat-stream-text.sse').slice(0, 4);
    const content = chunks.filter((c) => c.choices);
    assert.deepEqual(content.slice(0, 4).map(normChunk), sent.map(normChunk), 'the events sent before the reset');
    assert.ok(content.length === 4, `${content.length} content chunks after a reset at 4: ${text}`);
    const errs = chunks.filter((c) => c.error);
    for (const e of errs) assert.equal(typeof e.error.message, 'string');
    await sleep(300);
    const after = R.totals(tok.id);
    assert.equal(after.tokenRemain + after.tokenUsed, TOKEN_QUOTA, 'a pre-consumed hold was not given back');
    assert.equal(after.tokenUsed - before.tokenUsed, after.logQuota - before.logQuota, 'token charge differs from the log');
    assert.equal(after.userUsed - before.userUsed, after.logQuota - before.logQuota, 'user charge differs from the log');
    const rows = R.sql(`SELECT prompt_tokens, completion_tokens, quota FROM logs WHERE type = 2 AND request_id = '${requestId}'`);
    assert.ok(rows.length <= 1);
    const full = quotaOf(fixtureUsage('openai-chat-stream-text.sse'));	// 87 at ratio 1
    if (rows.length) {
      const [, c, q] = rows[0].map(Number);
      assert.ok(c < 9, `charged ${c} completion tokens, the full answer has 9 and only 3 were produced`);
      assert.ok(q < full, `charged ${q}, as much as the full answer (${full})`);
    }
  });

  it('after all that, a good request is charged normally (the token still works)', async () => {
    const before = R.totals(tok.id);
    const r = await ask('f-ok');
    assert.equal(r.status, 200, r.text);
    await sleep(150);
    const after = R.totals(tok.id);
    assert.equal(after.tokenUsed - before.tokenUsed, quotaOf(fixtureUsage('openai-chat-nonstream.json')));
    assert.equal(after.logRows, before.logRows + 1);
  });

  // ---- bad input: refused before any upstream call ----

  const raw = (body, ct = 'application/json') => R.chat(tok.key, body, { headers: { 'content-type': ct } });
  for (const [what, body, status, re] of [
    ['malformed JSON', '{"model": "f-ok", "messages": [', 400, null],
    ['an empty body', '', 400, null],
    ['a JSON array', '[1,2,3]', 400, null],
    ['model missing', { messages: USER_MSG }, [400, 503], null],
    ['model a number', { model: 42, messages: USER_MSG }, 400, null],
    ['model null', { model: null, messages: USER_MSG }, [400, 503], null],
    ['n a string', { model: 'f-ok', messages: USER_MSG, n: '2' }, 400, null],
    ['max_tokens a string', { model: 'f-ok', messages: USER_MSG, max_tokens: '100' }, 400, null],
    ['max_tokens an object', { model: 'f-ok', messages: USER_MSG, max_tokens: { n: 1 } }, 400, null],
    ['an unknown model', { model: 'f-no-such-model', messages: USER_MSG }, 503,
      /当前分组 default 下对于模型 f-no-such-model 无可用渠道|No available channels for Model f-no-such-model under Group default/],
  ]) {
    it(`bad input, ${what}: ${JSON.stringify(status)} in OpenAI shape, upstream not called, nothing charged`, async () => {
      R.up.reset();
      const r = await costsNothing(() => raw(typeof body === 'string' ? body : JSON.stringify(body)));
      const e = assertRelayError(r, status, what);
      if (re) assert.match(e.message, re);
      assert.equal(R.up.requests.length, 0, 'the upstream was called');
    });
  }
});
