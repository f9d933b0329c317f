// test/integration/relay-routing.test.mjs: channel selection as One API (and
// the LK fork) does it: the highest priority tier only, weighted random
// inside a tier, retry on the next channel after a 5xx, suspension after a
// 429, auto-disable after a 401, and the admin-only pinned channel
// "sk-KEY-<channel id>". Every test uses its own model name, so its channels
// are the only candidates.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from './harness.mjs';
import { defaultAnswer } from '../fake/upstream.mjs';
import { setupRelay, fixtureJson, assertRelayError, waitFor, USER_MSG } from './relay-lib.mjs';

const ERR = (status, message, type, code = null) => ({ status, json: { error: { message, type, param: null, code } } });

describe('relay: routing', () => {
  let R;
  let key;	// root's unlimited token

  before(async () => {
    R = await setupRelay();
    key = (await R.token(null, { unlimited_quota: true })).key;
  });
  after(async () => { await R?.stop(); });

  const ask = (model, k = key) => R.chat(k, { model, messages: USER_MSG });

  /** n requests, `par` at a time; the statuses. */
  async function many(model, n, par = 16) {
    const statuses = [];
    let next = 0;
    await Promise.all(Array.from({ length: par }, async () => {
      while (next < n) {
        next++;
        const r = await ask(model);
        statuses.push(r.status);
        if (r.status !== 200) statuses.push(r.text.slice(0, 200));
      }
    }));
    return statuses;
  }

  it('priority tiers: only the highest-priority channels are used, all of them', async () => {
    const a = await R.channel({ models: 'r-prio', priority: 10 });
    const b = await R.channel({ models: 'r-prio', priority: 10 });
    const c = await R.channel({ models: 'r-prio', priority: 0 });
    const d = await R.channel({ models: 'r-prio', priority: -5 });
    R.up.reset();
    const st = await many('r-prio', 40, 4);
    assert.ok(st.every((s) => s === 200), JSON.stringify(st.filter((s) => s !== 200)));
    const na = R.up.requestsTo(`/${a.prefix}`).length;
    const nb = R.up.requestsTo(`/${b.prefix}`).length;
    assert.equal(R.up.requestsTo(`/${c.prefix}`).length, 0, 'a lower tier was used');
    assert.equal(R.up.requestsTo(`/${d.prefix}`).length, 0, 'a lower tier was used');
    assert.equal(na + nb, 40);
    assert.ok(na > 0 && nb > 0, `the top tier is not shared: ${na}/${nb}`);
  });

  it('weights 1:3 inside a tier: 1000 picks within 4 standard deviations of 250:750', async () => {
    const light = await R.channel({ models: 'r-weight', weight: 1 });
    const heavy = await R.channel({ models: 'r-weight', weight: 3 });
    R.up.reset();
    const N = 1000;
    const st = await many('r-weight', N, 16);
    assert.ok(st.every((s) => s === 200), JSON.stringify(st.filter((s) => s !== 200).slice(0, 6)));
    const nl = R.up.requestsTo(`/${light.prefix}`).length;
    const nh = R.up.requestsTo(`/${heavy.prefix}`).length;
    assert.equal(nl + nh, N);
    const sd = Math.sqrt(N * 0.25 * 0.75);	// 13.7
    assert.ok(Math.abs(nl - N * 0.25) <= 4 * sd, `light channel got ${nl} of ${N} (expected 250 ± ${Math.round(4 * sd)})`);
  });

  it('retry: a 500 from the first channel is retried on the next one (RetryTimes > 0), and the client never sees it', async () => {
    await R.option('RetryTimes', '2');
    try {
      const bad = await R.channel({ models: 'r-retry', priority: 10 });
      const good = await R.channel({ models: 'r-retry', priority: 0 });
      R.up.reset();
      R.up.route(`/${bad.prefix}`, ERR(500, 'The server had an error while processing your request.', 'server_error'));
      const r = await ask('r-retry');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, fixtureJson('openai-chat-nonstream.json'));
      assert.equal(R.up.requestsTo(`/${bad.prefix}`).length, 1, 'the top channel was not tried first');
      assert.equal(R.up.requestsTo(`/${good.prefix}`).length, 1, 'no retry on the next channel');
      // the retried body is the client's
      assert.deepEqual(R.up.requestsTo(`/${good.prefix}`)[0].json.messages, USER_MSG);
    } finally {
      await R.option('RetryTimes', '0');
    }
  });

  it('retry: with RetryTimes 0 the 500 reaches the client in OpenAI shape', async () => {
    const bad = await R.channel({ models: 'r-noretry', priority: 10 });
    await R.channel({ models: 'r-noretry', priority: 0 });
    R.up.route(`/${bad.prefix}`, ERR(500, 'upstream exploded', 'server_error'));
    const r = await ask('r-noretry');
    const e = assertRelayError(r, 500, 'RetryTimes 0');
    assert.match(e.message, /upstream exploded/);
  });

  it('suspension: after a 429 the channel is skipped and the next request goes elsewhere', async () => {
    const busy = await R.channel({ models: 'r-429', priority: 10 });
    const other = await R.channel({ models: 'r-429', priority: 0 });
    R.up.reset();
    R.up.route(`/${busy.prefix}`, ERR(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded'));
    const first = await ask('r-429');
    assertRelayError(first, 429, 'the 429 itself (RetryTimes 0)');
    for (let i = 0; i < 5; i++) {
      const r = await ask('r-429');
      assert.equal(r.status, 200, `request ${i + 2} after the 429: ${r.text}`);
    }
    assert.equal(R.up.requestsTo(`/${busy.prefix}`).length, 1, 'the rate-limited channel was used again');
    assert.equal(R.up.requestsTo(`/${other.prefix}`).length, 5);
    assert.equal(R.num(`SELECT status FROM channels WHERE id = ${busy.id}`), 1, 'a 429 must not disable the channel');
  });

  it('auto-disable: a 401 from the upstream disables the channel (status 3) when AutomaticDisableChannelEnabled', async () => {
    await R.option('AutomaticDisableChannelEnabled', 'true');
    try {
      const dead = await R.channel({ models: 'r-401', priority: 10 });
      const alive = await R.channel({ models: 'r-401', priority: 0 });
      R.up.route(`/${dead.prefix}`, ERR(401, 'Incorrect API key provided: sk-upst***key.', 'invalid_request_error', 'invalid_api_key'));
      const r = await ask('r-401');
      const e = assertRelayError(r, 401, 'upstream 401');
      assert.match(e.message, /Incorrect API key provided/);
      const status = await waitFor(() => R.num(`SELECT status FROM channels WHERE id = ${dead.id}`) === 3, 3000);
      assert.ok(status, `channel status ${R.num(`SELECT status FROM channels WHERE id = ${dead.id}`)}, want 3`);
      assert.equal(R.num(`SELECT COUNT(*) FROM abilities WHERE channel_id = ${dead.id} AND enabled = 1`), 0);
      R.up.reset();
      R.up.route(`/${dead.prefix}`, ERR(401, 'Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'));
      const again = await ask('r-401');
      assert.equal(again.status, 200, again.text);
      assert.equal(R.up.requestsTo(`/${alive.prefix}`).length, 1);
      assert.equal(R.up.requestsTo(`/${dead.prefix}`).length, 0);
    } finally {
      await R.option('AutomaticDisableChannelEnabled', 'false');
    }
  });

  it('no auto-disable when AutomaticDisableChannelEnabled is off', async () => {
    const c = await R.channel({ models: 'r-401-off', priority: 10 });
    R.up.route(`/${c.prefix}`, ERR(401, 'Incorrect API key provided', 'invalid_request_error', 'invalid_api_key'));
    const r = await ask('r-401-off');
    assertRelayError(r, 401, 'upstream 401');
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(R.num(`SELECT status FROM channels WHERE id = ${c.id}`), 1);
  });

  it('pinned channel sk-KEY-<id>: an admin key goes to that channel only; a common user\'s key gets 403', async () => {
    const top = await R.channel({ models: 'r-pin', priority: 10 });
    const low = await R.channel({ models: 'r-pin', priority: 0 });
    R.up.reset();
    for (let i = 0; i < 3; i++) {
      const r = await ask('r-pin', `${key}-${low.id}`);
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(R.up.requestsTo(`/${low.prefix}`).length, 3);
    assert.equal(R.up.requestsTo(`/${top.prefix}`).length, 0);
    // pinned: no retry elsewhere even when RetryTimes > 0
    await R.option('RetryTimes', '2');
    try {
      R.up.reset();
      R.up.route(`/${low.prefix}`, ERR(500, 'pinned one failed', 'server_error'));
      const r = await ask('r-pin', `${key}-${low.id}`);
      assertRelayError(r, 500, 'pinned channel failing');
      assert.equal(R.up.requestsTo(`/${top.prefix}`).length, 0, 'a pinned request was retried on another channel');
    } finally {
      await R.option('RetryTimes', '0');
      R.up.unroute(`/${low.prefix}`);
    }
    // a channel id that does not exist
    const none = await ask('r-pin', `${key}-999999`);
    assertRelayError(none, [400, 404], 'pinned to a missing channel');
    // a common user may not pin
    const dave = await R.user('dave', { quota: 100000000 });
    const dk = await R.token(dave, { unlimited_quota: true });
    const r = await ask('r-pin', `${dk.key}-${low.id}`);
    const e = assertRelayError(r, 403, 'common user pinning');
    assert.match(e.message, /普通用户不支持指定渠道/);
  });

  it('retry: a channel that does not answer (connection refused) is retried on the next; charged once, on the channel that served', async () => {
    await R.option('RetryTimes', '1');
    try {
      const port = await freePort();
      const r0 = await R.root('POST', '/api/channel/', {
        name: 'dead-port', type: 1, key: 'sk-x', base_url: `http://127.0.0.1:${port}`, models: 'r-refused',
        group: 'default', priority: 10, other: '', model_mapping: '', system_prompt: '', config: '{}',
      });
      assert.equal(r0.json?.success, true, r0.text);
      const good = await R.channel({ models: 'r-refused', priority: 0 });
      R.up.reset();
      const r = await ask('r-refused');
      assert.equal(r.status, 200, r.text);
      assert.equal(R.up.requestsTo(`/${good.prefix}`).length, 1);
      const rid = r.headers.get('x-oneapi-request-id');
      await waitFor(() => R.num(`SELECT COUNT(*) FROM logs WHERE type = 2 AND request_id = '${rid}'`) > 0, 3000);
      const rows = R.sql(`SELECT channel_id FROM logs WHERE type = 2 AND request_id = '${rid}'`);
      assert.deepEqual(rows.map((x) => Number(x[0])), [good.id]);
    } finally {
      await R.option('RetryTimes', '0');
    }
  });

  it('retry: a 400 from the upstream is not retried (the request is the problem)', async () => {
    await R.option('RetryTimes', '2');
    try {
      const a = await R.channel({ models: 'r-400', priority: 10 });
      const b = await R.channel({ models: 'r-400', priority: 0 });
      R.up.route(`/${a.prefix}`, ERR(400, "Invalid value: 'tool'. Supported values are: 'system', 'assistant', 'user'.", 'invalid_request_error', 'invalid_value'));
      R.up.reset();
      const r = await ask('r-400');
      const e = assertRelayError(r, 400, 'upstream 400');
      assert.match(e.message, /Invalid value: 'tool'/);
      assert.equal(R.up.requestsTo(`/${b.prefix}`).length, 0, 'a 400 was retried');
    } finally {
      await R.option('RetryTimes', '0');
    }
  });

  it('retry: never after bytes reached the client (a stream cut mid-way is not replayed elsewhere)', async () => {
    await R.option('RetryTimes', '2');
    try {
      const a = await R.channel({ models: 'r-cut', priority: 10 });
      const b = await R.channel({ models: 'r-cut', priority: 0 });
      R.up.route(`/${a.prefix}`, (req, json) => ({ ...defaultAnswer(req, json), resetAfterEvents: 3 }));
      R.up.reset();
      const res = await fetch(`${R.base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'r-cut', messages: USER_MSG, stream: true }),
      });
      let text = '';
      try { text = await res.text(); } catch { /* cut */ }
      assert.equal(res.status, 200);
      assert.equal(R.up.requestsTo(`/${b.prefix}`).length, 0, 'the cut stream was retried on another channel');
      // the client saw each event once: no second role chunk from a replay
      assert.equal((text.match(/"role":"assistant"/g) ?? []).length, 1, text);
    } finally {
      await R.option('RetryTimes', '0');
    }
  });

  // ONEAPI_SPEC 1.7: the OpenAI adaptor calls base + request path; type 50
  // (OpenAICompatible) strips the leading /v1 (its base usually ends in /v1)
  it('channel types 8 (Custom) call base_url + /v1/chat/completions, 50 (OpenAICompatible) base_url + /chat/completions', async () => {
    for (const [type, path] of [[8, '/v1/chat/completions'], [50, '/chat/completions']]) {
      const c = await R.channel({ models: `r-type-${type}`, type });
      R.up.reset();
      const r = await ask(`r-type-${type}`);
      assert.equal(r.status, 200, `type ${type}: ${r.text}`);
      assert.deepEqual(R.up.requests.map((q) => q.path), [`/${c.prefix}${path}`], `type ${type}`);
      assert.equal(R.up.requests[0].headers.authorization, 'Bearer sk-Xq9vTz2LmW8kRp4Y');
    }
  });

  it('a model no channel serves: 503 with One API\'s message', async () => {
    const r = await ask('r-nobody-serves-this');
    const e = assertRelayError(r, 503, 'unknown model');
    assert.match(e.message, /当前分组 default 下对于模型 r-nobody-serves-this 无可用渠道|No available channels for Model r-nobody-serves-this under Group default/);
  });

  it('a disabled channel is not used', async () => {
    const off = await R.channel({ models: 'r-disabled', priority: 10 });
    const on = await R.channel({ models: 'r-disabled', priority: 0 });
    const u = await R.root('PUT', '/api/channel/', { id: off.id, status: 2 });
    assert.equal(u.json?.success, true, u.text);
    R.up.reset();
    const r = await ask('r-disabled');
    assert.equal(r.status, 200, r.text);
    assert.equal(R.up.requestsTo(`/${on.prefix}`).length, 1);
    assert.equal(R.up.requestsTo(`/${off.prefix}`).length, 0);
  });
});
