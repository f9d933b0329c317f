// test/integration/logs.test.mjs: the logs API, dashboard, admin top-up and cost lookup through lighttpd
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startGateway, api, login } from './harness.mjs';

const ROOT_AT = 'itest0logs000root0access00tok00';

function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const count = (dbPath, q) => Number(sql(dbPath, q)[0][0]);

// One API's Log struct, JSON names (channel_id is "channel").
const LOG_KEYS = ['channel', 'completion_tokens', 'content', 'created_at', 'elapsed_time', 'id',
  'is_stream', 'model_name', 'prompt_tokens', 'quota', 'request_id', 'system_prompt_reset',
  'token_name', 'type', 'user_id', 'username'].sort();

const utcDay = (ts) => new Date(ts * 1000).toISOString().slice(0, 10);

describe('logs API', () => {
  let gw;
  let bobId;
  let bobCookie;
  const now = Math.floor(Date.now() / 1000);
  const root = (method, path, body) => api(gw.base, method, path, { accessToken: ROOT_AT, body });
  const bob = (method, path, body) => api(gw.base, method, path, { cookie: bobCookie, body });

  // [user, type, created_at, model, token, channel, quota, prompt, completion, content]
  let seeded;

  before(async () => {
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
    const u = await root('POST', '/api/user/', { username: 'bob', password: 'bob-pass-1234', display_name: 'Bob' });
    assert.equal(u.json?.success, true, u.text);
    bobId = Number(sql(gw.dbPath, "SELECT id FROM users WHERE username = 'bob'")[0][0]);
    bobCookie = await login(gw.base, 'bob', 'bob-pass-1234');
    sql(gw.dbPath, 'DELETE FROM logs');
    seeded = [
      [1, 'root', 2, now - 400, 'gpt-4', 't1', 3, 100, 10, 5, '倍率：15.00 × 1.00 × 2.00'],
      [1, 'root', 2, now - 300, 'gpt-3.5-turbo', 't2', 4, 50, 20, 10, '倍率：0.25 × 1.00 × 3.00'],
      [1, 'root', 3, now - 250, '', '', 0, 0, 0, 0, '管理员将用户额度从 1修改为 2'],
      [1, 'root', 2, now - 10 * 86400, 'gpt-4', 't1', 3, 7, 1, 1, 'old'],
      [bobId, 'bob', 2, now - 200, 'gpt-4', 'bt', 3, 30, 10, 20, '倍率：15.00 × 1.00 × 2.00'],
      [bobId, 'bob', 2, now - 150, 'gpt-4', 'bt', 4, 20, 4, 6, '倍率：15.00 × 1.00 × 2.00'],
      [bobId, 'bob', 2, now - 86400, 'claude-3-haiku-20240307', 'bt2', 4, 5, 2, 3, 'y'],
      [bobId, 'bob', 1, now - 100, '', '', 0, 1000, 0, 0, '通过兑换码充值 1000'],
    ];
    for (let i = 0; i < 23; i++) seeded.push([1, 'root', 4, now - 1000 - i, '', '', 0, 0, 0, 0, `system ${i}`]);
    const values = seeded.map(([uid, name, type, at, model, tok, ch, q, p, c, content], i) =>
      `(${uid}, '${name}', ${type}, ${at}, '${model}', '${tok}', ${ch}, ${q}, ${p}, ${c}, '${content}', 'req${i}', ${i}, ${i % 2})`);
    sql(gw.dbPath, 'INSERT INTO logs (user_id, username, type, created_at, model_name, token_name, channel_id, ' +
      `quota, prompt_tokens, completion_tokens, content, request_id, elapsed_time, is_stream) VALUES ${values.join(',')}`);
  });
  after(async () => { await gw?.stop(); });

  it('GET /api/log/ lists every log newest first, One API fields, paged', async () => {
    const r = await root('GET', '/api/log/');
    assert.equal(r.json?.success, true, r.text);
    assert.equal(r.json.data.length, 10);
    assert.equal(r.json.total, seeded.length);
    const ids = r.json.data.map((l) => l.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const first = r.json.data[0];
    assert.deepEqual(Object.keys(first).sort(), LOG_KEYS);
    assert.equal(first.username, 'root');	// the last seeded row is root's
    assert.equal(typeof first.is_stream, 'boolean');
    assert.equal(typeof first.system_prompt_reset, 'boolean');
    const p2 = await root('GET', '/api/log/?p=3');
    assert.equal(p2.json.data.length, seeded.length - 30);
    const big = await root('GET', '/api/log/?p=0&size=50');
    assert.equal(big.json.data.length, seeded.length);
    const all = new Set(big.json.data.map((l) => l.id));
    assert.equal(all.size, seeded.length);
    const bobRow = big.json.data.find((l) => l.username === 'bob' && l.quota === 30);
    assert.equal(bobRow.channel, 3);
    assert.equal(bobRow.model_name, 'gpt-4');
    assert.equal(bobRow.prompt_tokens, 10);
    assert.equal(bobRow.completion_tokens, 20);
    assert.equal(bobRow.token_name, 'bt');
    assert.equal(bobRow.user_id, bobId);
    assert.match(bobRow.request_id, /^req\d+$/);
    // past the end: an empty page
    const beyond = await root('GET', '/api/log/?p=99');
    assert.deepEqual(beyond.json.data, []);
  });

  it('filters by type, user, token, model, channel and time', async () => {
    const q = async (qs) => (await root('GET', `/api/log/?size=100&${qs}`)).json.data;
    assert.equal((await q('type=2')).length, 6);
    assert.equal((await q('type=4')).length, 23);
    assert.ok((await q('username=bob')).every((l) => l.username === 'bob'));
    assert.equal((await q('username=bob')).length, 4);
    assert.equal((await q('token_name=t1')).length, 2);
    assert.equal((await q('model_name=gpt-4')).length, 4);
    assert.equal((await q('model_name=gpt-4&username=bob')).length, 2);
    assert.equal((await q('channel=4')).length, 3);
    assert.equal((await q(`start_timestamp=${now - 350}&end_timestamp=${now - 150}`)).length, 4);
    assert.equal((await q(`type=2&start_timestamp=${now - 5 * 86400}`)).length, 5);
    // One API ignores numbers that do not parse
    assert.equal((await q('type=abc&channel=x')).length, seeded.length);
    // quotes in a filter are data, not SQL
    assert.deepEqual(await q("username=' OR '1'='1"), []);
  });

  it('GET /api/log/stat sums consume quota of the filter', async () => {
    let r = await root('GET', '/api/log/stat');
    assert.equal(r.json.success, true, r.text);
    assert.deepEqual(r.json.data, { quota: 100 + 50 + 7 + 30 + 20 + 5 });
    r = await root('GET', '/api/log/stat?username=bob');
    assert.deepEqual(r.json.data, { quota: 55 });
    r = await root('GET', '/api/log/stat?username=bob&model_name=gpt-4&type=1');
    assert.deepEqual(r.json.data, { quota: 50 });
    r = await root('GET', `/api/log/stat?channel=3&start_timestamp=${now - 86400}`);
    assert.deepEqual(r.json.data, { quota: 130 });
    r = await root('GET', '/api/log/stat?token_name=none');
    assert.deepEqual(r.json.data, { quota: 0 });
  });

  it('GET /api/log/search finds by type or content prefix', async () => {
    let r = await root('GET', '/api/log/search?keyword=2');
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.length, 6);
    assert.ok(r.json.data.every((l) => l.type === 2));
    r = await root('GET', '/api/log/search?keyword=' + encodeURIComponent('管理员'));
    assert.equal(r.json.data.length, 1);
    assert.equal(r.json.data[0].type, 3);
    r = await root('GET', '/api/log/search?keyword=system');
    assert.equal(r.json.data.length, 23);
  });

  it('self routes show only the caller\'s logs', async () => {
    let r = await bob('GET', '/api/log/self?size=100');
    assert.equal(r.json?.success, true, r.text);
    assert.equal(r.json.data.length, 4);
    assert.equal(r.json.total, 4);
    assert.ok(r.json.data.every((l) => l.user_id === bobId && l.username === 'bob'));
    assert.ok(r.json.data.every((l) => l.id === 0));	// One API omits the id here
    assert.deepEqual(Object.keys(r.json.data[0]).sort(), LOG_KEYS);
    // another user's name in the query changes nothing
    r = await bob('GET', '/api/log/self?username=root&size=100');
    assert.equal(r.json.data.length, 4);
    r = await bob('GET', '/api/log/self?type=2&model_name=gpt-4');
    assert.equal(r.json.data.length, 2);
    r = await bob('GET', '/api/log/self/stat');
    assert.deepEqual(r.json.data, { quota: 55 });
    r = await bob('GET', '/api/log/self/stat?username=root');
    assert.deepEqual(r.json.data, { quota: 55 });
    r = await bob('GET', '/api/log/self/search?keyword=2');
    assert.equal(r.json.data.length, 3);
    assert.ok(r.json.data.every((l) => l.user_id === bobId));
    r = await bob('GET', '/api/log/self/search?keyword=4');
    assert.deepEqual(r.json.data, []);
  });

  it('a common user cannot reach the admin routes', async () => {
    const before = count(gw.dbPath, 'SELECT COUNT(*) FROM logs');
    const quota = count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`);
    for (const [m, p, body] of [['GET', '/api/log/'], ['GET', '/api/log/stat'], ['GET', '/api/log/search?keyword=2'],
      ['DELETE', `/api/log/?target_timestamp=${now + 10}`], ['POST', '/api/topup', { user_id: bobId, quota: 5 }]]) {
      const r = await bob(m, p, body);
      assert.notEqual(r.json?.success, true, `${m} ${p}: ${r.text}`);
      assert.equal(r.json?.data, undefined, `${m} ${p}: ${r.text}`);
    }
    // and without a session nothing at all
    const anon = await api(gw.base, 'GET', '/api/log/self');
    assert.notEqual(anon.json?.success, true, anon.text);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM logs'), before);
    assert.equal(count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`), quota);
  });

  it('GET /api/user/dashboard groups the last 7 days by day and model', async () => {
    const r = await bob('GET', '/api/user/dashboard');
    assert.equal(r.json?.success, true, r.text);
    const want = new Map();
    for (const [uid, , type, at, model, , , q, p, c] of seeded) {
      if (uid !== bobId || type !== 2) continue;
      const k = `${utcDay(at)}|${model}`;
      const w = want.get(k) ?? { day: utcDay(at), model_name: model, request_count: 0, quota: 0, prompt_tokens: 0, completion_tokens: 0 };
      w.request_count++; w.quota += q; w.prompt_tokens += p; w.completion_tokens += c;
      want.set(k, w);
    }
    const got = r.json.data.map((d) => ({ day: d.day, model_name: d.model_name, request_count: d.request_count,
      quota: d.quota, prompt_tokens: d.prompt_tokens, completion_tokens: d.completion_tokens }));
    const expected = [...want.values()].sort((a, b) => (a.day + a.model_name < b.day + b.model_name ? -1 : 1));
    assert.deepEqual(got, expected);
    // One API's own field names (Go's LogStatistic has no json tags)
    for (const d of r.json.data) {
      assert.equal(d.Day, d.day);
      assert.equal(d.ModelName, d.model_name);
      assert.equal(d.RequestCount, d.request_count);
      assert.equal(d.Quota, d.quota);
      assert.equal(d.PromptTokens, d.prompt_tokens);
      assert.equal(d.CompletionTokens, d.completion_tokens);
    }
    // root's 10-day-old row is out of the window
    const mine = await root('GET', '/api/user/dashboard');
    assert.equal(mine.json.success, true, mine.text);
    assert.equal(mine.json.data.reduce((s, d) => s + d.quota, 0), 150);
  });

  it('POST /api/topup adds quota and writes a top-up log', async () => {
    const q0 = count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`);
    let r = await root('POST', '/api/topup', { user_id: bobId, quota: 12345, remark: 'invoice 42' });
    assert.equal(r.json?.success, true, r.text);
    assert.equal(count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`), q0 + 12345);
    let row = sql(gw.dbPath, `SELECT type, content, quota, username FROM logs WHERE user_id = ${bobId} ORDER BY id DESC LIMIT 1`)[0];
    assert.deepEqual(row, ['1', 'invoice 42', '12345', 'bob']);
    // no remark: One API's text
    r = await root('POST', '/api/topup', { user_id: bobId, quota: 500000 });
    assert.equal(r.json?.success, true, r.text);
    row = sql(gw.dbPath, `SELECT content, quota FROM logs WHERE user_id = ${bobId} ORDER BY id DESC LIMIT 1`)[0];
    assert.match(row[0], /^通过 API 充值 /);
    assert.equal(row[1], '500000');
    assert.equal(count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`), q0 + 512345);
    // the user sees it in their own logs
    const self = await bob('GET', '/api/log/self?type=1');
    assert.ok(self.json.data.some((l) => l.content === 'invoice 42' && l.quota === 12345));
  });

  it('POST /api/topup refuses bad input and writes nothing', async () => {
    const logs0 = count(gw.dbPath, 'SELECT COUNT(*) FROM logs');
    const q0 = count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`);
    const bad = [
      [{ user_id: String(bobId), quota: 10 }, /user_id/],
      [{ user_id: bobId, quota: '10' }, /quota/],
      [{ user_id: bobId, quota: 1.5 }, /quota/],
      [{ user_id: bobId, quota: 10, remark: 7 }, /remark/],
      [{ user_id: bobId, quota: -10 }, /负数/],
      [{ quota: 10 }, /user_id/],
      [{ user_id: 99999, quota: 10 }, /用户不存在/],
      ['{"user_id": 2, "quota": ', /./],
      ['[1,2]', /./],
    ];
    for (const [body, msg] of bad) {
      const r = await root('POST', '/api/topup', body);
      assert.equal(r.json?.success, false, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.message, msg);
    }
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM logs'), logs0);
    assert.equal(count(gw.dbPath, `SELECT quota FROM users WHERE id = ${bobId}`), q0);
  });

  it('GET /api/cost/request/:id answers without auth', async () => {
    sql(gw.dbPath, "INSERT INTO user_request_costs (created_time, user_id, request_id, quota) " +
      `VALUES (${now}, ${bobId}, '20250101120000123456789012345', 250000)`);
    let r = await api(gw.base, 'GET', '/api/cost/request/20250101120000123456789012345');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.request_id, '20250101120000123456789012345');
    assert.equal(r.json.quota, 250000);
    assert.equal(r.json.cost_usd, 0.5);
    assert.equal(r.json.success, undefined);	// the raw row, no envelope
    // a stranger learns the cost, not whose request it was
    assert.deepEqual(Object.keys(r.json).sort(), ['cost_usd', 'quota', 'request_id']);
    // its owner's admin sees the whole row
    r = await root('GET', '/api/cost/request/20250101120000123456789012345');
    assert.equal(r.json.user_id, bobId);
    assert.equal(r.json.created_time, now);
    r = await api(gw.base, 'GET', '/api/cost/request/nope404');
    assert.equal(r.json?.success, false, r.text);
    r = await api(gw.base, 'GET', "/api/cost/request/x'%20OR%20'1'='1");
    assert.equal(r.json?.success, false, r.text);
  });

  it('DELETE /api/log/ drops logs older than the timestamp', async () => {
    let r = await root('DELETE', '/api/log/');
    assert.equal(r.json?.success, false, r.text);
    r = await root('DELETE', '/api/log/?target_timestamp=abc');
    assert.equal(r.json?.success, false, r.text);
    const old = count(gw.dbPath, `SELECT COUNT(*) FROM logs WHERE created_at < ${now - 5 * 86400}`);
    assert.equal(old, 1);
    const total = count(gw.dbPath, 'SELECT COUNT(*) FROM logs');
    r = await root('DELETE', `/api/log/?target_timestamp=${now - 5 * 86400}`);
    assert.equal(r.json?.success, true, r.text);
    assert.equal(r.json.data, 1);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM logs'), total - 1);
  });
});
