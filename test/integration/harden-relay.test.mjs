// test/integration/harden-relay.test.mjs: the attacks of issue 10 on the relay and billing,
// through lighttpd: overflowing numbers from a client and from an upstream, a single channel
// suspended by one failure, a key echoed by an upstream, the data files' modes, exact quota
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setupRelay, fixtureJson, USER_MSG, waitFor } from './relay-lib.mjs';
import { api } from './harness.mjs';

const SECRET = 'sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('relay hardening', () => {
  let R;
  before(async () => { R = await setupRelay(); });
  after(async () => { await R?.stop(); });

  it('max_tokens 9000000000000000000 is not served and costs nothing', async () => {
    const c = await R.channel({ models: 'gpt-4o-mini' });
    const u = await R.user('big1', { quota: 1000000 });
    const t = await R.token(u);
    const n0 = R.up.requestsTo(`/${c.prefix}`).length;
    const before = R.totals(t.id);
    const r = await R.chat(t.key, { model: 'gpt-4o-mini', messages: USER_MSG, max_tokens: 9000000000000000000 });
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
    assert.equal(R.up.requestsTo(`/${c.prefix}`).length, n0);	// never reached the upstream
    assert.deepEqual(R.totals(t.id), before);
  });

  /** A channel whose answers report 2^63 - 1 prompt tokens, and a user and key for it. */
  async function hugeUsage(prefix) {
    const c = await R.channel({ models: `gpt-4o-mini-${prefix}`, prefix });
    await R.option('ModelRatio', { [`gpt-4o-mini-${prefix}`]: 1 });
    const body = fixtureJson('openai-chat-nonstream.json');
    // completion 0: with two such counts the relay's own prompt + completion sum
    // (handlers/relay.c take_usage) would overflow before billing sees them
    body.usage = { prompt_tokens: 9223372036854775807, completion_tokens: 0, total_tokens: 9223372036854775807 };
    R.up.route(`/${c.prefix}`, { text: JSON.stringify(body).replaceAll('9223372036854776000', '9223372036854775807'), type: 'application/json' });
    const u = await R.user(`${prefix}1`, { quota: 50000000 });
    const t = await R.token(u);
    // twice: the second addition is the one that would overflow
    for (let i = 0; i < 2; i++) {
      const r = await R.chat(t.key, { model: `gpt-4o-mini-${prefix}`, messages: USER_MSG });
      assert.equal(r.status, 200, r.text);
    }
    await waitFor(() => R.totals(t.id).logRows === 2);
    return { u, t };
  }

  it('an upstream reporting 2^63 tokens: quotas stay integers, nothing absurd is charged, statistics work', async () => {
    const { u, t } = await hugeUsage('huge');
    const tot = R.totals(t.id);
    assert.ok(tot.userUsed < 1000000 && tot.logQuota < 1000000, JSON.stringify(tot));
    assert.deepEqual(R.sql("SELECT count(*) FROM users WHERE typeof(quota) != 'integer' OR typeof(used_quota) != 'integer'"), [['0']]);
    assert.deepEqual(R.sql("SELECT count(*) FROM logs WHERE typeof(quota) != 'integer' OR typeof(prompt_tokens) != 'integer'"), [['0']]);
    assert.deepEqual(R.sql(`SELECT prompt_tokens FROM logs WHERE type = 2 AND user_id = ${u.id}`), [['0'], ['0']]);
    const stat = await R.root('GET', '/api/log/stat?type=2');
    assert.equal(stat.json?.success, true, stat.text);
    const self = await api(R.base, 'GET', '/api/user/self', { cookie: u.cookie });
    assert.equal(self.json?.success, true, self.text);
    assert.ok(Number.isSafeInteger(self.json.data.used_quota));
  });

  it('an upstream reporting 2^63 tokens is charged an estimate, not nothing', { todo: 'needs handlers/relay.c (lead\'s file): insane usage counts as no usage (take_usage), and a hold always taken' }, async () => {
    const { t } = await hugeUsage('huge2');
    const tot = R.totals(t.id);
    assert.ok(tot.userUsed > 0 && tot.userUsed < 1000000, JSON.stringify(tot));
  });

  it('one failure of the only channel does not refuse the model for everyone', async () => {
    const c = await R.channel({ models: 'solo-model', prefix: 'solo' });
    await R.option('ModelRatio', { 'solo-model': 1 });
    await R.option('RetryTimes', '0');
    const u = await R.user('solo1');
    const t = await R.token(u);
    R.up.route(`/${c.prefix}`, { status: 500, json: { error: { message: 'upstream hiccup', type: 'server_error' } } });
    let r = await R.chat(t.key, { model: 'solo-model', messages: USER_MSG });
    assert.ok(r.status >= 500, `${r.status} ${r.text}`);
    assert.ok(Number(R.sql(`SELECT count(*) FROM abilities WHERE channel_id = ${c.id} AND suspend_until IS NOT NULL`)[0][0]) > 0);
    R.up.unroute(`/${c.prefix}`);
    r = await R.chat(t.key, { model: 'solo-model', messages: USER_MSG });
    assert.equal(r.status, 200, r.text);
  });

  it('a channel key echoed by the upstream never reaches the client', { todo: 'needs scrub_secret() on upstream error text in handlers/relay.c (lead\'s file)' }, async () => {
    const c = await R.channel({ models: 'echo-model', prefix: 'echo', key: SECRET });
    await R.option('ModelRatio', { 'echo-model': 1 });
    const u = await R.user('echo1');
    const t = await R.token(u);
    R.up.route(`/${c.prefix}`, { status: 401, json: { error: { message: `Incorrect API key provided: Bearer ${SECRET}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
    const r = await R.chat(t.key, { model: 'echo-model', messages: USER_MSG });
    assert.ok(r.status >= 400);
    assert.ok(!r.text.includes(SECRET), r.text);
    assert.ok(!r.text.includes(SECRET.slice(0, 12)), r.text);
    assert.ok(!r.text.includes(SECRET.slice(-12)), r.text);
    assert.ok(!fs.readFileSync(`${R.gw.dir}/lighttpd.log`, 'utf8').includes(SECRET.slice(8, 24)));
  });

  it('60 concurrent costly requests on a large quota charge no more than the quota', { todo: 'needs an exact hold in handlers/relay.c (lead\'s file): no 100x skip, max_tokens capped to what the quota pays' }, async () => {
    const c = await R.channel({ models: 'costly-model', prefix: 'costly' });
    await R.option('ModelRatio', { 'costly-model': 1 });
    await R.option('CompletionRatio', { 'costly-model': 1 });
    const quota = 1600000;	// far above 100x the hold of a short prompt
    const u = await R.user('rich1', { quota });
    const t = await R.token(u);
    const body = fixtureJson('openai-chat-nonstream.json');
    body.usage = { prompt_tokens: 100, completion_tokens: 149900, total_tokens: 150000 };	// 150 k quota each
    R.up.route(`/${c.prefix}`, { json: body, firstByteMs: 100 });
    const reqs = [];
    for (let i = 0; i < 60; i++) reqs.push(R.chat(t.key, { model: 'costly-model', messages: USER_MSG }));
    await Promise.all(reqs);
    await waitFor(() => false, 500);
    const tot = R.totals(t.id);
    assert.ok(tot.logQuota <= quota, `charged ${tot.logQuota} on a quota of ${quota}`);
    assert.ok(tot.userQuota >= 0);
  });

  it('60 concurrent costly requests on many small keys of one user charge no more than the user\'s quota', { todo: 'needs an exact hold in handlers/relay.c (lead\'s file)' }, async () => {
    const c = await R.channel({ models: 'costly-keys', prefix: 'costlykeys' });
    await R.option('ModelRatio', { 'costly-keys': 1 });
    await R.option('CompletionRatio', { 'costly-keys': 1 });
    const quota = 1600000;
    const u = await R.user('rich2', { quota });
    const keys = [];
    for (let i = 0; i < 12; i++) keys.push(await R.token(u, { remain_quota: 400000, unlimited_quota: false }));
    const body = fixtureJson('openai-chat-nonstream.json');
    body.usage = { prompt_tokens: 100, completion_tokens: 149900, total_tokens: 150000 };
    R.up.route(`/${c.prefix}`, { json: body, firstByteMs: 100 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => R.chat(keys[i % keys.length].key, { model: 'costly-keys', messages: USER_MSG })));
    await waitFor(() => false, 500);
    const charged = Number(R.sql(`SELECT COALESCE(SUM(quota), 0) FROM logs WHERE type = 2 AND user_id = ${u.id}`)[0][0]);
    assert.ok(charged <= quota, `charged ${charged} on a quota of ${quota}`);
    for (const k of keys) assert.ok(R.totals(k.id).tokenUsed <= 400000);
  });

  it('the database and its -wal/-shm files are readable by their owner only', async () => {
    await R.root('GET', '/api/user/self');	// some traffic: the WAL exists
    for (const f of [R.dbPath, `${R.dbPath}-wal`, `${R.dbPath}-shm`]) {
      if (!fs.existsSync(f)) continue;
      assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
    }
    assert.ok(fs.existsSync(R.dbPath));
  });
});
