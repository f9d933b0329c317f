// test/integration/relay-openai.test.mjs: the real `openai` client against /v1
// through lighttpd gets exactly what the (fake) upstream sent: non-stream and
// stream, text and tool calls, the usage chunk only when asked for; plus the
// relay's surface: request ids, /v1/models, 501 routes, CORS, key headers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import {
  setupRelay, fixture, fixtureJson, fixtureChunks, normChunk, assertRelayError, REQ_ID_RE, USER_MSG, TOOLS,
} from './relay-lib.mjs';

describe('relay: OpenAI client pass-through', () => {
  let R;
  let ch;
  let key;	// root's unlimited token
  let oa;

  before(async () => {
    R = await setupRelay();
    ch = await R.channel({ models: 'gpt-4o-mini,gpt-4o', prefix: 'main' });
    await R.channel({ models: 'vip-only-model', prefix: 'vip', group: 'vip' });
    key = (await R.token(null, { unlimited_quota: true })).key;
    oa = R.client(key);
  });
  after(async () => { await R?.stop(); });

  it('non-stream text: the client gets the recorded completion, the upstream gets our body at base_url + /v1/chat/completions', async () => {
    R.up.reset();
    const { data, response } = await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_MSG }).withResponse();
    assert.deepEqual(data, fixtureJson('openai-chat-nonstream.json'));
    assert.match(response.headers.get('x-oneapi-request-id') ?? '', REQ_ID_RE);
    assert.equal(R.up.requests.length, 1);
    const sent = R.up.requests[0];
    assert.equal(sent.path, '/main/v1/chat/completions');
    assert.equal(sent.method, 'POST');
    assert.equal(sent.headers.authorization, 'Bearer sk-Xq9vTz2LmW8kRp4Y');
    assert.equal(sent.json.model, 'gpt-4o-mini');
    assert.deepEqual(sent.json.messages, USER_MSG);
  });

  it('non-stream: the body is passed through byte for byte', async () => {
    const r = await R.chat(key, { model: 'gpt-4o-mini', messages: USER_MSG });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.text, fixture('openai-chat-nonstream.json').toString('utf8'));
  });

  it('non-stream tool calls: ids, names, arguments and finish_reason as sent', async () => {
    const data = await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_MSG, tools: TOOLS });
    const want = fixtureJson('openai-chat-nonstream-parallel-tools.json');
    assert.deepEqual(data, want);
    assert.equal(data.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(data.choices[0].message.tool_calls.map((t) => [t.id, t.function.name, t.function.arguments]),
      want.choices[0].message.tool_calls.map((t) => [t.id, t.function.name, t.function.arguments]));
  });

  async function collect(stream) {
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    return chunks;
  }

  it('stream text without include_usage: every chunk as sent, the usage chunk removed; upstream asked for usage', async () => {
    R.up.reset();
    const chunks = await collect(await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: USER_MSG, stream: true }));
    const want = fixtureChunks('openai-chat-stream-text.sse');
    const withChoices = want.filter((c) => c.choices.length > 0);
    assert.deepEqual(chunks.map(normChunk), withChoices.map(normChunk));
    assert.ok(!chunks.some((c) => c.usage), 'usage chunk reached a client that did not ask for it');
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'The capital of the UK is London.');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
    assert.equal(R.up.requests.length, 1);
    assert.equal(R.up.requests[0].json.stream, true);
    assert.equal(R.up.requests[0].json.stream_options?.include_usage, true, `upstream body: ${R.up.requests[0].body}`);
  });

  it('stream text with include_usage: every chunk as sent, usage chunk included', async () => {
    R.up.reset();
    const chunks = await collect(await oa.chat.completions.create({
      model: 'gpt-4o-mini', messages: USER_MSG, stream: true, stream_options: { include_usage: true },
    }));
    const want = fixtureChunks('openai-chat-stream-text.sse');
    assert.deepEqual(chunks.map(normChunk), want.map(normChunk));
    assert.deepEqual(chunks.at(-1).usage, want.at(-1).usage);
    assert.equal(R.up.requests[0].json.stream_options?.include_usage, true);
  });

  it('stream with include_usage false: the upstream is still asked, the client gets no usage', async () => {
    R.up.reset();
    const chunks = await collect(await oa.chat.completions.create({
      model: 'gpt-4o-mini', messages: USER_MSG, stream: true, stream_options: { include_usage: false },
    }));
    assert.ok(chunks.length > 3);
    assert.ok(!chunks.some((c) => c.usage));
    assert.equal(R.up.requests[0].json.stream_options?.include_usage, true);
  });

  it('stream tool calls: id, name, argument fragments and finish_reason as sent; usage when asked', async () => {
    const chunks = await collect(await oa.chat.completions.create({
      model: 'gpt-4o-mini', messages: USER_MSG, tools: TOOLS, stream: true, stream_options: { include_usage: true },
    }));
    const want = fixtureChunks('openai-chat-stream-tools.sse');
    assert.deepEqual(chunks.map(normChunk), want.map(normChunk));
    const first = chunks[0].choices[0].delta.tool_calls[0];
    assert.equal(first.id, 'call_ZR5UUuTt3pf61kjwAJIYdVMj');
    assert.equal(first.function.name, 'get_capital');
    const args = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []).map((t) => t.function?.arguments ?? '').join('');
    assert.deepEqual(JSON.parse(args), { country: 'UK' });
    assert.equal(chunks.findLast((c) => c.choices.length).choices[0].finish_reason, 'tool_calls');
    assert.equal(chunks.at(-1).usage.total_tokens, 68);
  });

  it('stream: SSE headers, no gzip, ends with data: [DONE]', async () => {
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: USER_MSG, stream: true }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('content-encoding'), null);
    assert.match(res.headers.get('x-oneapi-request-id') ?? '', REQ_ID_RE);
    assert.ok(text.trimEnd().endsWith('data: [DONE]'), text.slice(-200));
    assert.equal(text.split('data: [DONE]').length, 2, 'exactly one [DONE]');
  });

  it('the key is accepted from Authorization (with or without sk-), x-api-key and api-key', async () => {
    for (const headers of [{ authorization: `Bearer ${key}` }, { 'x-api-key': `sk-${key}` }, { 'api-key': key }]) {
      const r = await api(R.base, 'POST', '/v1/chat/completions', { headers, body: { model: 'gpt-4o-mini', messages: USER_MSG } });
      assert.equal(r.status, 200, `${JSON.stringify(Object.keys(headers))}: ${r.text}`);
    }
  });

  it('a bad or missing key: 401 in OpenAI error shape with the request id', async () => {
    let r = await R.chat('not-a-key-at-all', { model: 'gpt-4o-mini', messages: USER_MSG });
    let e = assertRelayError(r, 401, 'bad key');
    assert.equal(e.type, 'one_api_error');
    r = await R.chat(null, { model: 'gpt-4o-mini', messages: USER_MSG });
    e = assertRelayError(r, 401, 'no key');
    // the openai client raises AuthenticationError
    await assert.rejects(R.client('nope').chat.completions.create({ model: 'gpt-4o-mini', messages: USER_MSG }),
      (err) => err.status === 401);
  });

  it('X-Oneapi-Request-Id on every response, different each time', async () => {
    const ids = new Set();
    const rs = [
      await R.chat(key, { model: 'gpt-4o-mini', messages: USER_MSG }),
      await R.chat('bad', { model: 'gpt-4o-mini', messages: USER_MSG }),
      await R.chat(key, { model: 'no-such-model', messages: USER_MSG }),
      await api(R.base, 'GET', '/v1/models', { token: `sk-${key}` }),
      await api(R.base, 'GET', '/v1/files', { token: `sk-${key}` }),
      await api(R.base, 'GET', '/v1/no/such/route', { token: `sk-${key}` }),
    ];
    for (const r of rs) {
      const id = r.headers.get('x-oneapi-request-id');
      assert.match(id ?? '', REQ_ID_RE, `status ${r.status}: ${r.text.slice(0, 200)}`);
      ids.add(id);
    }
    assert.equal(ids.size, rs.length);
  });

  it('GET /v1/models lists the models of enabled channels in the key owner\'s group, and no others', async () => {
    const list = await oa.models.list();
    const ids = list.data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['gpt-4o', 'gpt-4o-mini']);
    for (const m of list.data) assert.equal(m.object, 'model');
    const one = await oa.models.retrieve('gpt-4o-mini');
    assert.equal(one.id, 'gpt-4o-mini');
    // a token restricted to one model sees only that one
    const limited = await R.token(null, { unlimited_quota: true, models: 'gpt-4o' });
    const l2 = await R.client(limited.key).models.list();
    assert.deepEqual(l2.data.map((m) => m.id), ['gpt-4o']);
    // and may not use the other
    const r = await R.chat(limited.key, { model: 'gpt-4o-mini', messages: USER_MSG });
    const e = assertRelayError(r, 403, 'model outside the token allow-list');
    assert.match(e.message, /该令牌无权使用模型：gpt-4o-mini/);
    // without a key: 401
    const noKey = await api(R.base, 'GET', '/v1/models');
    assert.equal(noKey.status, 401, noKey.text);
  });

  it('routes One API does not implement answer 501 api_not_implemented', async () => {
    for (const [m, p] of [['GET', '/v1/files'], ['POST', '/v1/files'], ['POST', '/v1/images/variations'],
      ['GET', '/v1/fine_tuning/jobs'], ['POST', '/v1/assistants'], ['POST', '/v1/threads'], ['DELETE', '/v1/models/gpt-4o']]) {
      const r = await api(R.base, m, p, { token: `sk-${key}`, body: m === 'POST' ? {} : undefined });
      assert.equal(r.status, 501, `${m} ${p}: ${r.text}`);
      assert.equal(r.json?.error?.code, 'api_not_implemented', `${m} ${p}: ${r.text}`);
      assert.equal(r.json?.error?.type, 'one_api_error');
    }
  });

  it('CORS: a preflight is answered for any origin; answers carry Access-Control-Allow-Origin', async () => {
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example', 'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    await res.arrayBuffer();
    assert.ok([200, 204].includes(res.status), `preflight status ${res.status}`);
    const allow = res.headers.get('access-control-allow-origin');
    assert.ok(allow === '*' || allow === 'https://app.example', `allow-origin ${allow}`);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.ok(res.headers.get('access-control-allow-headers'), 'no Access-Control-Allow-Headers');
    const r = await api(R.base, 'POST', '/v1/chat/completions', {
      token: `sk-${key}`, headers: { origin: 'https://app.example' }, body: { model: 'gpt-4o-mini', messages: USER_MSG },
    });
    assert.equal(r.status, 200);
    assert.ok(r.headers.get('access-control-allow-origin'), 'no Access-Control-Allow-Origin on the answer');
  });

  it('billing emulation: /v1/dashboard/billing/subscription and /usage', async () => {
    const s = await api(R.base, 'GET', '/v1/dashboard/billing/subscription', { token: `sk-${key}` });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.json.object, 'billing_subscription');
    assert.equal(s.json.has_payment_method, true);
    for (const f of ['soft_limit_usd', 'hard_limit_usd', 'system_hard_limit_usd', 'access_until']) {
      assert.equal(typeof s.json[f], 'number', `${f}: ${s.text}`);
    }
    const u = await api(R.base, 'GET', '/v1/dashboard/billing/usage', { token: `sk-${key}` });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.object, 'list');
    assert.equal(typeof u.json.total_usage, 'number');
  });

  it('model mapping: the upstream gets the mapped name, the client the upstream answer', async () => {
    const c = await R.channel({ models: 'friendly-name', prefix: 'mapped', model_mapping: JSON.stringify({ 'friendly-name': 'gpt-4o-mini' }) });
    R.up.reset();
    const data = await oa.chat.completions.create({ model: 'friendly-name', messages: USER_MSG });
    assert.deepEqual(data, fixtureJson('openai-chat-nonstream.json'));
    assert.equal(R.up.requests.length, 1);
    assert.equal(R.up.requests[0].path, `/${c.prefix}/v1/chat/completions`);
    assert.equal(R.up.requests[0].json.model, 'gpt-4o-mini');
  });

  it('forced system prompt: replaces a leading system message, else is prepended', async () => {
    await R.channel({ models: 'sysprompt-model', prefix: 'sys', system_prompt: 'You are forced.' });
    R.up.reset();
    await oa.chat.completions.create({ model: 'sysprompt-model', messages: USER_MSG });
    assert.deepEqual(R.up.requests[0].json.messages, [{ role: 'system', content: 'You are forced.' }, ...USER_MSG]);
    R.up.reset();
    await oa.chat.completions.create({ model: 'sysprompt-model', messages: [{ role: 'system', content: 'mine' }, ...USER_MSG] });
    assert.deepEqual(R.up.requests[0].json.messages, [{ role: 'system', content: 'You are forced.' }, ...USER_MSG]);
  });

  it('embeddings go to base_url + /v1/embeddings and come back as sent', async () => {
    await R.channel({ models: 'text-embedding-3-small', prefix: 'emb' });
    R.up.reset();
    const r = await R.client(key).embeddings.create({ model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float' });
    assert.deepEqual(r, fixtureJson('openai-embeddings-truncated.json'));
    assert.equal(R.up.requests[0].path, '/emb/v1/embeddings');
  });
});
