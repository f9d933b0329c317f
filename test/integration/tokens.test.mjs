// test/integration/tokens.test.mjs: the token (API key) API as One API scripts use it, scoped to the caller
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startGateway, api, login } from './harness.mjs';

const ROOT_AT = 'itest0tokens00root0access00tok0';
const KEY_RE = /^[0-9a-zA-Z]{16}[0-9a-fA-F]{32}$/;

function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const count = (dbPath, q) => Number(sql(dbPath, q)[0][0]);

describe('tokens API', () => {
  let gw;
  let cookie;
  let bobId;
  let bobCookie;
  const me = (method, path, body) => api(gw.base, method, path, { cookie, body });
  const root = (method, path, body) => api(gw.base, method, path, { accessToken: ROOT_AT, body });
  const bob = (method, path, body) => api(gw.base, method, path, { cookie: bobCookie, body });

  before(async () => {
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
    cookie = await login(gw.base);
    // a common user made the way an admin script makes one
    const u = await root('POST', '/api/user/', { username: 'bob', password: 'bob-pass-1234', display_name: 'Bob' });
    assert.equal(u.json?.success, true, u.text);
    bobId = Number(sql(gw.dbPath, "SELECT id FROM users WHERE username = 'bob'")[0][0]);
    bobCookie = await login(gw.base, 'bob', 'bob-pass-1234');
  });
  after(async () => { await gw?.stop(); });

  let tok;

  it('POST /api/token/ makes a key on the server and returns the token', async () => {
    const before = count(gw.dbPath, 'SELECT COUNT(*) FROM tokens');
    const r = await me('POST', '/api/token/', {
      name: 'script-key', remain_quota: 500000, expired_time: -1, unlimited_quota: false,
      key: 'caller-chosen-key-is-ignored', user_id: bobId, status: 2, used_quota: 99,
    });
    assert.equal(r.json?.success, true, r.text);
    tok = r.json.data;
    assert.match(tok.key, KEY_RE);
    assert.equal(tok.name, 'script-key');
    assert.equal(tok.status, 1);
    assert.equal(tok.remain_quota, 500000);
    assert.equal(tok.unlimited_quota, false);
    assert.equal(tok.used_quota, 0);
    assert.equal(tok.expired_time, -1);
    assert.ok(tok.id > 0);
    assert.notEqual(tok.user_id, bobId);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM tokens'), before + 1);
    assert.equal(sql(gw.dbPath, `SELECT \`key\` FROM tokens WHERE id = ${tok.id}`)[0][0], tok.key);
  });

  it('lists tokens with their keys, gets and searches them', async () => {
    const r = await root('GET', '/api/token/?p=0');
    assert.equal(r.json.success, true, r.text);
    const mine = r.json.data.find((t) => t.id === tok.id);
    assert.ok(mine, r.text);
    assert.equal(mine.key, tok.key);
    assert.equal(r.json.data[0].id, Math.max(...r.json.data.map((t) => t.id)));	// id desc
    for (const t of r.json.data) assert.match(t.key, KEY_RE);
    const g = await me('GET', `/api/token/${tok.id}`);
    assert.equal(g.json.data.key, tok.key);
    const s = await me('GET', '/api/token/search?keyword=script');
    assert.deepEqual(s.json.data.map((t) => t.id), [tok.id]);
    const byKey = await me('GET', `/api/token/search?keyword=sk-${tok.key}`);
    assert.deepEqual(byKey.json.data.map((t) => t.id), [tok.id]);
    const none = await me('GET', '/api/token/search?keyword=nothing-like-it');
    assert.deepEqual(none.json.data, []);
    const ordered = await me('GET', '/api/token/?p=0&order=remain_quota');
    assert.equal(ordered.json.success, true);
  });

  it('PUT ?status_only= changes only the status', async () => {
    let r = await me('PUT', '/api/token/?status_only=true', { id: tok.id, status: 2, name: 'ignored', remain_quota: 1 });
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.status, 2);
    assert.equal(r.json.data.name, 'script-key');
    assert.equal(r.json.data.remain_quota, 500000);
    r = await me('PUT', '/api/token/?status_only=true', { id: tok.id, status: 1 });
    assert.equal(r.json.data.status, 1);
    assert.equal(sql(gw.dbPath, `SELECT status FROM tokens WHERE id = ${tok.id}`)[0][0], '1');
  });

  it('PUT (full) updates the fields One API updates, not the status', async () => {
    const r = await me('PUT', '/api/token/', {
      id: tok.id, name: 'renamed', status: 2, remain_quota: 42, expired_time: 4102444800,
      unlimited_quota: true, models: 'gpt-4o,gpt-4o-mini', subnet: '10.0.0.0/8, 127.0.0.1/32',
    });
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.name, 'renamed');
    assert.equal(r.json.data.status, 1);
    assert.equal(r.json.data.remain_quota, 42);
    assert.equal(r.json.data.expired_time, 4102444800);
    assert.equal(r.json.data.unlimited_quota, true);
    assert.equal(r.json.data.models, 'gpt-4o,gpt-4o-mini');
    assert.equal(r.json.data.key, tok.key);
  });

  it('refuses to re-enable an expired or exhausted token, with One API\'s messages', async () => {
    sql(gw.dbPath, `UPDATE tokens SET status = 3, expired_time = 1000 WHERE id = ${tok.id}`);
    let r = await me('PUT', '/api/token/?status_only=true', { id: tok.id, status: 1 });
    assert.equal(r.json.success, false);
    assert.equal(r.json.message, '令牌已过期，无法启用，请先修改令牌过期时间，或者设置为永不过期');
    sql(gw.dbPath, `UPDATE tokens SET status = 4, expired_time = -1, remain_quota = 0, unlimited_quota = 0 WHERE id = ${tok.id}`);
    r = await me('PUT', '/api/token/?status_only=true', { id: tok.id, status: 1 });
    assert.equal(r.json.message, '令牌可用额度已用尽，无法启用，请先修改令牌剩余额度，或者设置为无限额度');
    assert.equal(sql(gw.dbPath, `SELECT status FROM tokens WHERE id = ${tok.id}`)[0][0], '4');
    sql(gw.dbPath, `UPDATE tokens SET status = 1, remain_quota = 100 WHERE id = ${tok.id}`);
  });

  it('refuses bad input and writes nothing', async () => {
    const snap = () => sql(gw.dbPath, 'SELECT * FROM tokens ORDER BY id').map((x) => x.join('|')).join('\n');
    const before = snap();
    const long = await me('POST', '/api/token/', { name: 'x'.repeat(31) });
    assert.equal(long.json.message, '参数错误：令牌名称过长');
    const subnet = await me('POST', '/api/token/', { name: 'n', subnet: '10.0.0.0' });
    assert.match(subnet.json.message, /^参数错误：无效的网段/);
    for (const body of [{ name: 12 }, { name: 'n', remain_quota: '100' }, { name: 'n', unlimited_quota: 'yes' },
      { name: 'n', expired_time: 1.5 }, { name: 'n', models: ['a'] }]) {
      const r = await me('POST', '/api/token/', body);
      assert.equal(r.json?.success, false, `${JSON.stringify(body)} -> ${r.text}`);
    }
    const bad = await me('POST', '/api/token/', '{"name": ');
    assert.equal(bad.json.success, false);
    const upd = await me('PUT', '/api/token/', { id: tok.id, name: 'y'.repeat(40) });
    assert.equal(upd.json.success, false);
    const upd2 = await me('PUT', '/api/token/', { id: String(tok.id), name: 'y' });
    assert.equal(upd2.json.success, false);
    const st = await me('PUT', '/api/token/?status_only=1', { id: tok.id, status: 9 });
    assert.equal(st.json.success, false);
    assert.equal(snap(), before);
  });

  it('stores SQL-looking names literally', async () => {
    const name = "a'; DROP TABLE tokens;--";
    const r = await me('POST', '/api/token/', { name, unlimited_quota: true });
    assert.equal(r.json.success, true, r.text);
    const s = await me('GET', `/api/token/search?keyword=${encodeURIComponent("a'")}`);
    assert.equal(s.json.data.length, 1);
    assert.equal(s.json.data[0].name, name);
    assert.equal(s.json.data[0].expired_time, -1);
  });

  it('a user never sees or changes another user\'s tokens', async () => {
    const own = await bob('POST', '/api/token/', { name: 'bob-key', remain_quota: 10 });
    assert.equal(own.json.success, true, own.text);
    assert.equal(own.json.data.user_id, bobId);
    const bobIds = sql(gw.dbPath, `SELECT id FROM tokens WHERE user_id = ${bobId} ORDER BY id DESC`).map((x) => Number(x[0]));
    assert.ok(bobIds.includes(own.json.data.id));
    const list = await bob('GET', '/api/token/');
    assert.deepEqual(list.json.data.map((t) => t.id), bobIds);
    for (const t of list.json.data) assert.equal(t.user_id, bobId);
    assert.ok(!list.text.includes(tok.key));
    const g = await bob('GET', `/api/token/${tok.id}`);
    assert.equal(g.json.success, false);
    assert.ok(!g.text.includes(tok.key));
    const s = await bob('GET', `/api/token/search?keyword=${tok.key}`);
    assert.deepEqual(s.json.data, []);
    const s2 = await bob('GET', '/api/token/search?keyword=');
    assert.deepEqual(s2.json.data.map((t) => t.id), bobIds);
    const u = await bob('PUT', '/api/token/', { id: tok.id, name: 'stolen' });
    assert.equal(u.json.success, false);
    const u2 = await bob('PUT', '/api/token/?status_only=true', { id: tok.id, status: 2 });
    assert.equal(u2.json.success, false);
    const d = await bob('DELETE', `/api/token/${tok.id}`);
    assert.equal(d.json.success, false);
    assert.deepEqual(sql(gw.dbPath, `SELECT name, status FROM tokens WHERE id = ${tok.id}`), [['renamed', '1']]);
    const rootList = await me('GET', '/api/token/');
    assert.ok(!rootList.json.data.some((t) => bobIds.includes(t.id)));
    const rootGet = await me('GET', `/api/token/${own.json.data.id}`);
    assert.equal(rootGet.json.success, false, 'even root only sees its own tokens here');
  });

  it('DELETE /api/token/:id removes the caller\'s token', async () => {
    const d = await me('DELETE', `/api/token/${tok.id}`);
    assert.equal(d.json.success, true, d.text);
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM tokens WHERE id = ${tok.id}`), 0);
    const again = await me('DELETE', `/api/token/${tok.id}`);
    assert.equal(again.json.success, false);
    const g = await me('GET', `/api/token/${tok.id}`);
    assert.equal(g.json.success, false);
  });

  it('needs a signed-in user', async () => {
    const r = await api(gw.base, 'GET', '/api/token/');
    assert.equal(r.json?.success, false);
  });
});
