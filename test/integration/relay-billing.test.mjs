// test/integration/relay-billing.test.mjs: every relay request is charged by
// One API's formula on the usage the upstream reported, the token, user and
// channel counters agree with the consume log, and a key can never spend
// more than it holds, even under 200 parallel requests.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import { setupRelay, fixture, fixtureUsage, quotaOf, waitFor, REQ_ID_RE, USER_MSG, TOOLS } from './relay-lib.mjs';

// Prices chosen so the formula is visible: model 0.25, completion x3, group vip x2
// (effective 0.5: 14 + 37*3 = 125 -> 62.5 -> ceil 63).
const PRICE = { mr: 0.25, cr: 3, gr: 2 };
const OPTIONS = {
  ModelRatio: { 'gpt-4o-mini': 0.25 },
  CompletionRatio: { 'gpt-4o-mini': 3 },
  GroupRatio: { default: 1, vip: 2, svip: 1 },
};

describe('relay: billing', () => {
  let R;
  let ch;
  let alice;
  let tok;
  const USER_QUOTA = 50000000;
  const TOKEN_QUOTA = 10000000;

  before(async () => {
    R = await setupRelay({ options: OPTIONS });
    ch = await R.channel({ models: 'gpt-4o-mini', group: 'default,vip', prefix: 'bill' });
    alice = await R.user('alice', { quota: USER_QUOTA, group: 'vip' });
    tok = await R.token(alice, { remain_quota: TOKEN_QUOTA, unlimited_quota: false, name: 'alice-key' });
  });
  after(async () => { await R?.stop(); });

  it('after N requests: token, user and channel counters equal the log rows and One API\'s formula', async () => {
    const oa = R.client(tok.key);
    // [request, the fixture the fake answers with, is_stream]
    const plan = [
      [{ messages: USER_MSG }, 'openai-chat-nonstream.json', false],
      [{ messages: USER_MSG }, 'openai-chat-nonstream.json', false],
      [{ messages: USER_MSG, tools: TOOLS }, 'openai-chat-nonstream-parallel-tools.json', false],
      [{ messages: USER_MSG, stream: true }, 'openai-chat-stream-text.sse', true],
      [{ messages: USER_MSG, stream: true, stream_options: { include_usage: true } }, 'openai-chat-stream-text.sse', true],
      [{ messages: USER_MSG, tools: TOOLS, stream: true }, 'openai-chat-stream-tools.sse', true],
    ];
    const want = [];	// { requestId, usage, quota, stream }
    for (const [body, fx, stream] of plan) {
      const { data, response } = await oa.chat.completions.create({ model: 'gpt-4o-mini', ...body }).withResponse();
      if (stream) for await (const _ of data) { /* drain */ }
      const requestId = response.headers.get('x-oneapi-request-id');
      assert.match(requestId ?? '', REQ_ID_RE);
      const usage = fixtureUsage(fx);
      want.push({ requestId, usage, quota: quotaOf(usage, PRICE), stream });
    }
    const total = want.reduce((s, w) => s + w.quota, 0);
    assert.equal(want[0].quota, 63);	// the ceil in the formula

    // settlement may finish after the answer: wait for the log rows
    await waitFor(() => R.totals(tok.id).logRows >= plan.length, 5000);
    const t = R.totals(tok.id);
    assert.equal(t.logRows, plan.length, JSON.stringify(t));
    assert.equal(t.logQuota, total, `log rows: ${JSON.stringify(R.sql('SELECT quota, prompt_tokens, completion_tokens FROM logs WHERE type = 2'))}`);
    assert.equal(t.tokenUsed, total);
    assert.equal(t.tokenRemain, TOKEN_QUOTA - total);
    assert.equal(t.userUsed, total);
    assert.equal(t.userQuota, USER_QUOTA - total);
    assert.equal(t.userRequests, plan.length);
    assert.equal(R.num(`SELECT used_quota FROM channels WHERE id = ${ch.id}`), total);

    // each row: the request's usage, price, model, token, channel, request id
    for (const w of want) {
      const rows = R.sql(`SELECT prompt_tokens, completion_tokens, quota, model_name, token_name, channel_id, is_stream, user_id, username, elapsed_time
        FROM logs WHERE type = 2 AND request_id = '${w.requestId}'`);
      assert.equal(rows.length, 1, `log row of ${w.requestId}`);
      const [p, c, q, model, tname, chid, isStream, uid, uname, elapsed] = rows[0];
      assert.equal(Number(p), w.usage.prompt_tokens);
      assert.equal(Number(c), w.usage.completion_tokens);
      assert.equal(Number(q), w.quota);
      assert.equal(model, 'gpt-4o-mini');
      assert.equal(tname, 'alice-key');
      assert.equal(Number(chid), ch.id);
      assert.equal(Number(isStream) === 1 || isStream === 'true', w.stream, `is_stream of ${w.requestId}: ${isStream}`);
      assert.equal(Number(uid), alice.id);
      assert.equal(uname, 'alice');
      assert.ok(Number(elapsed) >= 0);
    }
  });

  it('the logs API and the cost lookup show the same numbers', async () => {
    const rows = R.sql("SELECT request_id, quota FROM logs WHERE type = 2 AND username = 'alice' ORDER BY id");
    const sum = rows.reduce((s, r) => s + Number(r[1]), 0);
    const all = await R.root('GET', '/api/log/?p=0&type=2');
    assert.equal(all.json?.success, true, all.text);
    const mine = all.json.data.filter((l) => l.username === 'alice');
    assert.equal(mine.length, rows.length);
    assert.equal(mine.reduce((s, l) => s + l.quota, 0), sum);
    const self = await api(R.base, 'GET', '/api/log/self?p=0', { cookie: alice.cookie });
    assert.equal(self.json?.success, true, self.text);
    assert.equal(self.json.data.filter((l) => l.type === 2).length, rows.length);
    const stat = await R.root('GET', '/api/log/stat?type=2&username=alice');
    assert.equal(stat.json?.success, true, stat.text);
    assert.equal(stat.json.data.quota, sum);
    const [rid, q] = rows[0];
    const cost = await api(R.base, 'GET', `/api/cost/request/${rid}`);
    assert.equal(cost.status, 200, cost.text);
    const c = cost.json?.data ?? cost.json;
    assert.equal(c.request_id, rid);
    assert.equal(c.quota, Number(q));
  });

  it('an upstream that reports no usage: charged on an estimate (> 0), logged like any other', async () => {
    const c = await R.channel({ models: 'gpt-4o-mini-nousage', group: 'default,vip', prefix: 'nousage' });
    await R.option('ModelRatio', { ...OPTIONS.ModelRatio, 'gpt-4o-mini-nousage': 1 });
    const noUsage = { ...JSON.parse(fixture('openai-chat-nonstream.json')), usage: undefined };
    R.up.route(`/${c.prefix}`, { json: noUsage });
    const before = R.totals(tok.id);
    const r = await R.chat(tok.key, { model: 'gpt-4o-mini-nousage', messages: USER_MSG });
    assert.equal(r.status, 200, r.text);
    const rid = r.headers.get('x-oneapi-request-id');
    await waitFor(() => R.num(`SELECT COUNT(*) FROM logs WHERE type = 2 AND request_id = '${rid}'`) > 0, 3000);
    const [p, cpl, q] = R.sql(`SELECT prompt_tokens, completion_tokens, quota FROM logs WHERE type = 2 AND request_id = '${rid}'`)[0].map(Number);
    assert.ok(p > 0 && cpl > 0 && q > 0, `estimate: prompt ${p}, completion ${cpl}, quota ${q}`);
    const after = R.totals(tok.id);
    assert.equal(after.tokenUsed - before.tokenUsed, q);
    assert.equal(after.tokenRemain + after.tokenUsed, TOKEN_QUOTA);
  });

  it('200 parallel requests on a key whose quota covers 50: never more than the quota spent, the rest refused with the quota error', async () => {
    const bob = await R.user('bob', { quota: 1000000000, group: 'default' });
    const per = quotaOf(fixtureUsage('openai-chat-nonstream.json'), { ...PRICE, gr: 1 });	// 32
    const LIMIT = 50 * per;
    const bt = await R.token(bob, { remain_quota: LIMIT, unlimited_quota: false, name: 'bob-key' });
    const body = { model: 'gpt-4o-mini', messages: USER_MSG };
    const results = await Promise.all(Array.from({ length: 200 }, () => R.chat(bt.key, body, { timeoutMs: 60000 })));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    const byStatus = {};
    for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    for (const r of refused) {
      // One API: pre-consumption refused (403 pre_consume_token_quota_failed /
      // insufficient_user_quota) or, once the token is drained, the key itself
      // is exhausted (401 "该令牌额度已用尽")
      assert.ok(r.status === 403 || r.status === 401, `refused with ${r.status}: ${r.text.slice(0, 300)} (${JSON.stringify(byStatus)})`);
      assert.match(r.json?.error?.message ?? '', /额度|quota/i, r.text.slice(0, 300));
    }
    assert.ok(ok.length >= 1, `no request succeeded: ${JSON.stringify(byStatus)} ${refused[0]?.text}`);
    assert.ok(refused.length >= 150, `only ${refused.length} refused: ${JSON.stringify(byStatus)}`);
    await waitFor(() => R.totals(bt.id).logRows >= ok.length, 5000);
    await new Promise((r) => setTimeout(r, 300));	// any late settlement
    const t = R.totals(bt.id);
    assert.ok(t.tokenUsed <= LIMIT, `spent ${t.tokenUsed} > ${LIMIT}`);
    assert.ok(t.tokenRemain >= 0, `remain ${t.tokenRemain}`);
    assert.equal(t.tokenRemain + t.tokenUsed, LIMIT, 'held quota not returned');
    assert.equal(t.logRows, ok.length);
    assert.equal(t.logQuota, ok.length * per, `${ok.length} answered, ${per} each`);
    assert.equal(t.tokenUsed, t.logQuota);
    assert.equal(t.userUsed, t.logQuota);
    assert.equal(t.userQuota, 1000000000 - t.logQuota);
  });

  it('a user whose quota is gone gets 403 insufficient_user_quota and nothing is charged', async () => {
    const carol = await R.user('carol', { quota: 1, group: 'default' });
    const ct = await R.token(carol, { unlimited_quota: true, name: 'carol-key' });
    const r = await R.chat(ct.key, { model: 'gpt-4o-mini', messages: USER_MSG });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json?.error?.code, 'insufficient_user_quota', r.text);
    const t = R.totals(ct.id);
    assert.equal(t.logRows, 0);
    assert.equal(t.userQuota, 1);
  });
});
