// test/integration/users.test.mjs: login, sessions, access tokens, user administration and an existing One API database
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, api, login, tempDir, repoRoot } from './harness.mjs';

const ROOT_AT = 'itest0users000root0access00tok0';	// 32 chars, like One API's access tokens
const DENIED = '无权进行此操作，权限不足';

/** One SQL statement through the sqlite3 CLI; rows as arrays of strings. */
function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const count = (dbPath, q) => Number(sql(dbPath, q)[0][0]);
const esc = (s) => s.replaceAll("'", "''");

describe('users API on a new database', () => {
  let gw;
  let cookie;
  const root = (method, p, body) => api(gw.base, method, p, { cookie, body });
  const as = (at) => (method, p, body) => api(gw.base, method, p, { accessToken: at, body });
  const userRow = (name) => {
    const r = sql(gw.dbPath, `SELECT id, role, status, access_token, quota, display_name, password FROM users WHERE username = '${esc(name)}'`)[0];
    return r && { id: Number(r[0]), role: Number(r[1]), status: Number(r[2]), at: r[3], quota: Number(r[4]), display: r[5], hash: r[6] };
  };
  const nusers = () => count(gw.dbPath, 'SELECT COUNT(*) FROM users');

  before(async () => {
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
  });
  after(async () => { await gw?.stop(); });

  it('first start made root/123456 with the initial access token', async () => {
    const r = userRow('root');
    assert.equal(r.id, 1);
    assert.equal(r.role, 100);
    assert.equal(r.status, 1);
    assert.equal(r.at, ROOT_AT);
    assert.equal(r.quota, 500000000000000);
    assert.match(r.hash, /^\$2a\$10\$.{53}$/);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM fcgi_migrations WHERE version = 1'), 1);
  });

  it('login root/123456 answers the user and sets a session cookie', async () => {
    const r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '123456' } });
    assert.equal(r.status, 200);
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.id, 1);
    assert.equal(r.json.data.username, 'root');
    assert.equal(r.json.data.display_name, 'Root User');
    assert.equal(r.json.data.role, 100);
    assert.equal(r.json.data.status, 1);
    assert.equal(r.json.data.password, '');
    assert.equal(r.json.data.access_token, '');
    const sc = r.setCookie.find((c) => c.startsWith('session='));
    assert.ok(sc, r.setCookie.join('|'));
    assert.match(sc, /HttpOnly/);
    assert.match(sc, /SameSite=Lax/);
    assert.match(sc, /Path=\//);
    assert.match(sc, /Max-Age=604800/);	// COOKIE_MAXAGE_HOURS 168
    cookie = sc.split(';')[0];
  });

  it('a wrong or empty password is refused without a cookie', async () => {
    let r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '1234567' } });
    assert.deepEqual(r.json, { success: false, message: '用户名或密码错误，或用户已被封禁' });
    assert.equal(r.setCookie.length, 0);
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'nobody', password: '123456' } });
    assert.equal(r.json.message, '用户名或密码错误，或用户已被封禁');
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '' } });
    assert.equal(r.json.success, false);
    assert.match(r.json.message, /无效的参数/);
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: 123456 } });
    assert.equal(r.json.success, false);
    assert.match(r.json.message, /无效的参数/);
    r = await api(gw.base, 'POST', '/api/user/login', { body: '{"username":"root",' });
    assert.equal(r.json.success, false);
    assert.match(r.json.message, /无效的参数/);
  });

  it('GET /api/user/self with the cookie, the access token and "Bearer <access token>"', async () => {
    for (const opts of [{ cookie }, { accessToken: ROOT_AT }, { accessToken: `Bearer ${ROOT_AT}` }]) {
      const r = await api(gw.base, 'GET', '/api/user/self', opts);
      assert.equal(r.json.success, true, r.text);
      assert.equal(r.json.data.id, 1);
      assert.equal(r.json.data.username, 'root');
      assert.equal(r.json.data.password, '');
      assert.equal(r.json.data.access_token, '');
      assert.equal(r.json.data.quota, 500000000000000);
      assert.equal(r.json.data.group, 'default');
      for (const k of ['email', 'github_id', 'wechat_id', 'lark_id', 'oidc_id', 'verification_code', 'aff_code',
        'used_quota', 'request_count', 'inviter_id', 'display_name', 'role', 'status']) {
        assert.ok(k in r.json.data, k);
      }
    }
  });

  it('no credentials, a bad access token or a forged cookie get One API answers', async () => {
    let r = await api(gw.base, 'GET', '/api/user/self');
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { success: false, message: '无权进行此操作，未登录且未提供 access token' });
    r = await api(gw.base, 'GET', '/api/user/self', { accessToken: 'not-a-token' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { success: false, message: '无权进行此操作，access token 无效' });
    const [, v] = cookie.split('=');
    const parts = v.split('.');
    const forged = `session=2.${parts[1]}.${parts[2]}`;
    r = await api(gw.base, 'GET', '/api/user/self', { cookie: forged });
    assert.equal(r.status, 401);
    r = await api(gw.base, 'GET', '/api/user/self', { cookie: 'session=garbage' });
    assert.equal(r.status, 401);
  });

  it('logout clears the cookie and ends every session of the user', async () => {
    const c = await login(gw.base);
    const r = await api(gw.base, 'GET', '/api/user/logout', { cookie: c });
    assert.deepEqual(r.json, { success: true, message: '' });
    const sc = r.setCookie.find((s) => s.startsWith('session='));
    assert.match(sc, /^session=;/);
    assert.match(sc, /Max-Age=(0|-1)/);
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie })).status, 401);
    cookie = await login(gw.base);
  });

  let alice;
  it('POST /api/user/ creates a common user with a default token', async () => {
    const before = nusers();
    const r = await root('POST', '/api/user/', { username: 'alice', password: 'alice-pass-1', display_name: 'Alice', role: 1 });
    assert.deepEqual(r.json, { success: true, message: '' });
    assert.equal(nusers(), before + 1);
    alice = userRow('alice');
    assert.equal(alice.role, 1);
    assert.equal(alice.status, 1);
    assert.equal(alice.display, 'Alice');
    assert.match(alice.at, /^[0-9a-f]{32}$/);
    assert.match(alice.hash, /^\$2a\$10\$/);
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM tokens WHERE user_id = ${alice.id} AND name = 'default' `
      + 'AND unlimited_quota = 1 AND remain_quota = -1 AND expired_time = -1'), 1);
    // she can log in
    await login(gw.base, 'alice', 'alice-pass-1');
    // display_name defaults to the username
    const r2 = await root('POST', '/api/user/', { username: 'bob', password: 'bob-pass-12' });
    assert.equal(r2.json.success, true, r2.text);
    assert.equal(userRow('bob').display, 'bob');
  });

  it('creating refuses duplicates, bad lengths, bad JSON and wrong types, writing nothing', async () => {
    const before = nusers();
    const cases = [
      [{ username: 'alice', password: 'another-pass' }, /用户名已存在/],
      [{ username: 'abcdefghijklm', password: 'long-enough' }, /无效的输入/],	// 13 > 12
      [{ username: 'shortpw', password: '1234567' }, /无效的输入/],	// 7 < 8
      [{ username: 'longpw', password: '123456789012345678901' }, /无效的输入/],	// 21 > 20
      [{ username: 'longdn', password: 'long-enough', display_name: 'x'.repeat(21) }, /无效的输入/],
      [{ username: 'nopw' }, /无效的参数/],
      [{ password: 'no-username' }, /无效的参数/],
      [{ username: 123, password: 'long-enough' }, /无效的参数/],
      [{ username: 'typed', password: 'long-enough', role: '1' }, /无效的参数/],
      [{ username: 'admin2', password: 'long-enough', role: 100 }, /无法创建权限大于等于自己的用户/],
      ['{"username":"broken",', /无效的参数/],
      ['[1,2,3]', /无效的参数/],
      ['', /无效的参数/],
    ];
    for (const [body, re] of cases) {
      const r = await root('POST', '/api/user/', body);
      assert.equal(r.status, 200);
      assert.equal(r.json?.success, false, `${JSON.stringify(body)} -> ${r.text}`);
      assert.match(r.json.message, re, JSON.stringify(body));
    }
    assert.equal(nusers(), before);
  });

  it('lists users (id desc, no access tokens, no passwords) with paging', async () => {
    const r = await root('GET', '/api/user/?p=0');
    assert.equal(r.json.success, true, r.text);
    const ids = r.json.data.map((u) => u.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.ok(r.json.data.find((u) => u.username === 'alice'));
    for (const u of r.json.data) assert.equal(u.password, '');
    for (const u of r.json.data) assert.equal(u.access_token, '');
    assert.equal(r.json.total, nusers());
    const page = await root('GET', '/api/user/?p=0&size=1');
    assert.equal(page.json.data.length, 1);
    const far = await root('GET', '/api/user/?p=99');
    assert.deepEqual(far.json.data, []);
    const q = await root('GET', '/api/user/?p=0&order=quota');
    assert.equal(q.json.data[0].username, 'root');
  });

  it('searches by username prefix, email prefix, display name and id', async () => {
    let r = await root('GET', '/api/user/search?keyword=ali');
    assert.deepEqual(r.json.data.map((u) => u.username), ['alice']);
    r = await root('GET', `/api/user/search?keyword=${alice.id}`);
    assert.ok(r.json.data.some((u) => u.id === alice.id));
    r = await root('GET', '/api/user/search?keyword=Alic');
    assert.ok(r.json.data.some((u) => u.id === alice.id));
    r = await root('GET', '/api/user/search?keyword=zzz-nobody');
    assert.deepEqual(r.json.data, []);
  });

  it('GET /api/user/:id shows a user without password or access token', async () => {
    let r = await root('GET', `/api/user/${alice.id}`);
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.username, 'alice');
    assert.equal(r.json.data.access_token, '');
    assert.equal(r.json.data.password, '');
    r = await root('GET', '/api/user/99999');
    assert.equal(r.json.success, false);
    r = await root('GET', '/api/user/abc');
    assert.equal(r.json.success, false);
  });

  it('PUT /api/user/ writes only the fields sent and logs a quota change', async () => {
    let r = await root('PUT', '/api/user/', { id: alice.id, display_name: 'Alice X', quota: 5000, password: '' });
    assert.deepEqual(r.json, { success: true, message: '' });
    const a = userRow('alice');
    assert.equal(a.display, 'Alice X');
    assert.equal(a.quota, 5000);
    assert.equal(a.hash, alice.hash);	// "" = unchanged
    assert.equal(a.at, alice.at);
    const logs = sql(gw.dbPath, `SELECT type, content, username FROM logs WHERE user_id = ${alice.id}`);
    assert.equal(logs.length, 1);
    assert.equal(logs[0][0], '3');
    assert.equal(logs[0][1], '管理员将用户额度从 ＄0.000000 额度修改为 ＄0.010000 额度');
    assert.equal(logs[0][2], 'alice');
    // quota 0 is a zero value: not written (GORM Updates), no log
    r = await root('PUT', '/api/user/', { id: alice.id, quota: 0, group: 'vip' });
    assert.equal(r.json.success, true);
    assert.equal(userRow('alice').quota, 5000);
    assert.equal(sql(gw.dbPath, `SELECT \`group\` FROM users WHERE id = ${alice.id}`)[0][0], 'vip');
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM logs WHERE user_id = ${alice.id}`), 1);
    // a new password works at once
    r = await root('PUT', '/api/user/', { id: alice.id, password: 'alice-pass-2' });
    assert.equal(r.json.success, true);
    await login(gw.base, 'alice', 'alice-pass-2');
  });

  it('PUT /api/user/ refuses bad input and writes nothing', async () => {
    const snap = sql(gw.dbPath, 'SELECT * FROM users ORDER BY id');
    const cases = [
      [{ id: alice.id, quota: '100' }, /无效的参数/],
      [{ id: alice.id, quota: 1.5 }, /无效的参数/],
      [{ id: String(alice.id), display_name: 'x' }, /无效的参数/],
      [{ display_name: 'no id' }, /无效的参数/],
      [{ id: alice.id, username: 'abcdefghijklm' }, /无效的输入/],
      [{ id: alice.id, password: 'short' }, /无效的输入/],
      [{ id: alice.id, username: 'bob' }, /用户名已存在/],
      [{ id: 99999, display_name: 'ghost' }, /用户不存在/],
      [{ id: 1, status: 2 }, /无法禁用超级管理员用户/],
      ['{"id":2,"quota":', /无效的参数/],
    ];
    for (const [body, re] of cases) {
      const r = await root('PUT', '/api/user/', body);
      assert.equal(r.json?.success, false, `${JSON.stringify(body)} -> ${r.text}`);
      assert.match(r.json.message, re, JSON.stringify(body));
    }
    assert.deepEqual(sql(gw.dbPath, 'SELECT * FROM users ORDER BY id'), snap);
  });

  it('POST /api/user/manage promotes, demotes, disables and enables', async () => {
    let r = await root('POST', '/api/user/manage', { username: 'bob', action: 'promote' });
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.role, 10);
    assert.equal(r.json.data.status, 1);
    assert.equal(userRow('bob').role, 10);
    r = await root('POST', '/api/user/manage', { username: 'bob', action: 'promote' });
    assert.equal(r.json.message, '该用户已经是管理员');
    r = await root('POST', '/api/user/manage', { username: 'alice', action: 'disable' });
    assert.equal(r.json.data.status, 2);
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'alice', password: 'alice-pass-2' } });
    assert.equal(r.json.message, '用户名或密码错误，或用户已被封禁');
    r = await as(alice.at)('GET', '/api/user/self');
    assert.deepEqual(r.json, { success: false, message: '用户已被封禁' });
    r = await root('POST', '/api/user/manage', { username: 'alice', action: 'enable' });
    assert.equal(r.json.data.status, 1);
    r = await as(alice.at)('GET', '/api/user/self');
    assert.equal(r.json.success, true);
    for (const [action, msg] of [['disable', '无法禁用超级管理员用户'], ['delete', '无法删除超级管理员用户'],
      ['demote', '无法降级超级管理员用户'], ['promote', '该用户已经是管理员']]) {
      r = await root('POST', '/api/user/manage', { username: 'root', action });
      assert.deepEqual(r.json, { success: false, message: msg });
    }
    r = await root('POST', '/api/user/manage', { username: 'alice', action: 'explode' });
    assert.equal(r.json.success, false);
    r = await root('POST', '/api/user/manage', { username: 'nobody', action: 'enable' });
    assert.deepEqual(r.json, { success: false, message: '用户不存在' });
    r = await root('POST', '/api/user/manage', { username: ['alice'], action: 'disable' });
    assert.equal(r.json.success, false);
    assert.equal(userRow('alice').status, 1);
  });

  it('role rules: common users are denied, admins cannot touch equals or root', async () => {
    const aliceApi = as(alice.at);
    for (const p of ['/api/user/', '/api/user/search?keyword=a', `/api/user/${alice.id}`, '/api/channel/', '/api/option/']) {
      const r = await aliceApi('GET', p);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { success: false, message: DENIED }, p);
    }
    const bob = userRow('bob');	// an admin now
    const bobApi = as(bob.at);
    let r = await bobApi('GET', '/api/user/1');
    assert.deepEqual(r.json, { success: false, message: '无权获取同级或更高等级用户的信息' });
    r = await bobApi('GET', `/api/user/${alice.id}`);
    assert.equal(r.json.success, true);
    r = await bobApi('PUT', '/api/user/', { id: 1, display_name: 'pwned' });
    assert.deepEqual(r.json, { success: false, message: '无权更新同权限等级或更高权限等级的用户信息' });
    r = await bobApi('PUT', '/api/user/', { id: alice.id, role: 10 });
    assert.deepEqual(r.json, { success: false, message: '无权将其他用户权限等级提升到大于等于自己的权限等级' });
    r = await bobApi('POST', '/api/user/manage', { username: 'alice', action: 'promote' });
    assert.deepEqual(r.json, { success: false, message: '普通管理员用户无法提升其他用户为管理员' });
    r = await bobApi('POST', '/api/user/manage', { username: 'root', action: 'disable' });
    assert.deepEqual(r.json, { success: false, message: '无权更新同权限等级或更高权限等级的用户信息' });
    r = await bobApi('DELETE', '/api/user/1');
    assert.deepEqual(r.json, { success: false, message: '无权删除同权限等级或更高权限等级的用户' });
    r = await bobApi('POST', '/api/user/', { username: 'peer', password: 'peer-pass-1', role: 10 });
    assert.deepEqual(r.json, { success: false, message: '无法创建权限大于等于自己的用户' });
    r = await bobApi('GET', '/api/option/');
    assert.deepEqual(r.json, { success: false, message: DENIED });
    assert.equal(userRow('root').display, 'Root User');
    assert.equal(userRow('alice').role, 1);
    // demote bob back: his access token now only reaches user routes
    r = await root('POST', '/api/user/manage', { username: 'bob', action: 'demote' });
    assert.equal(r.json.data.role, 1);
    r = await bobApi('GET', '/api/user/');
    assert.deepEqual(r.json, { success: false, message: DENIED });
  });

  it('self service: update, access token, aff code; root cannot delete itself', async () => {
    const c = await login(gw.base, 'alice', 'alice-pass-2');
    const me = (method, p, body) => api(gw.base, method, p, { cookie: c, body });
    let r = await me('PUT', '/api/user/self', { display_name: 'Alice Self', role: 100, quota: 999999999 });
    assert.deepEqual(r.json, { success: true, message: '' });
    let a = userRow('alice');
    assert.equal(a.display, 'Alice Self');
    assert.equal(a.role, 1);	// only username, display_name, password are taken
    assert.equal(a.quota, 5000);
    r = await me('PUT', '/api/user/self', { password: 'short' });
    assert.equal(r.json.success, false);
    assert.match(r.json.message, /^输入不合法 /);
    r = await me('PUT', '/api/user/self', { display_name: 42 });
    assert.equal(r.json.success, false);
    // it changes state: from our own pages only (the browser says so)
    r = await me('GET', '/api/user/token');
    assert.equal(r.status, 403);
    r = await api(gw.base, 'GET', '/api/user/token', { cookie: c, headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(r.json.success, true);
    assert.match(r.json.data, /^[0-9a-f]{32}$/);
    const newAt = r.json.data;
    assert.equal(userRow('alice').at, newAt);
    r = await as(newAt)('GET', '/api/user/self');
    assert.equal(r.json.data.username, 'alice');
    r = await as(alice.at)('GET', '/api/user/self');
    assert.equal(r.json.message, '无权进行此操作，access token 无效');
    alice.at = newAt;
    r = await me('GET', '/api/user/aff');
    assert.match(r.json.data, /^[0-9a-zA-Z]{4}$/);
    const aff = r.json.data;
    r = await me('GET', '/api/user/aff');
    assert.equal(r.json.data, aff);
    r = await root('DELETE', '/api/user/self');
    assert.deepEqual(r.json, { success: false, message: '不能删除超级管理员账户' });
    a = userRow('alice');
    assert.equal(a.status, 1);
  });

  it('register: new users, invitation codes, and the switches', async () => {
    let r = await api(gw.base, 'POST', '/api/user/register', { body: { username: 'dave', password: 'dave-pass-1' } });
    assert.deepEqual(r.json, { success: true, message: '' });
    const d = userRow('dave');
    assert.equal(d.role, 1);
    assert.equal(d.display, 'dave');
    await login(gw.base, 'dave', 'dave-pass-1');
    const aff = sql(gw.dbPath, `SELECT aff_code FROM users WHERE id = ${alice.id}`)[0][0];
    r = await api(gw.base, 'POST', '/api/user/register', { body: { username: 'erin', password: 'erin-pass-1', aff_code: aff } });
    assert.equal(r.json.success, true, r.text);
    assert.equal(count(gw.dbPath, "SELECT inviter_id FROM users WHERE username = 'erin'"), alice.id);
    const before = nusers();
    for (const body of [{ username: 'dave', password: 'dave-pass-2' }, { username: 'frank', password: 'short' },
      { username: 'frank' }, { username: 'frank', password: 12345678 }, '{"username":']) {
      r = await api(gw.base, 'POST', '/api/user/register', { body });
      assert.equal(r.json?.success, false, `${JSON.stringify(body)} -> ${r.text}`);
    }
    assert.equal(nusers(), before);
    r = await root('PUT', '/api/option/', { key: 'RegisterEnabled', value: 'false' });
    assert.equal(r.json.success, true, r.text);
    r = await api(gw.base, 'POST', '/api/user/register', { body: { username: 'gina', password: 'gina-pass-1' } });
    assert.deepEqual(r.json, { success: false, message: '管理员关闭了新用户注册' });
    r = await root('PUT', '/api/option/', { key: 'RegisterEnabled', value: 'true' });
    r = await root('PUT', '/api/option/', { key: 'PasswordLoginEnabled', value: 'false' });
    assert.equal(r.json.success, true, r.text);
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '123456' } });
    assert.deepEqual(r.json, { success: false, message: '管理员关闭了密码登录' });
    r = await root('PUT', '/api/option/', { key: 'PasswordLoginEnabled', value: 'true' });
    assert.equal(nusers(), before);
  });

  it('SQL-looking input is stored and searched literally', async () => {
    const name = "x';DROP--";
    const display = "'); DROP TABLE users";
    let r = await root('POST', '/api/user/', { username: name, password: 'sql-pass-1', display_name: display });
    assert.equal(r.json.success, true, r.text);
    const row = userRow(name);
    assert.equal(row.display, display);
    r = await root('GET', `/api/user/search?keyword=${encodeURIComponent("'; DROP TABLE users; --")}`);
    assert.equal(r.json.success, true);
    assert.deepEqual(r.json.data, []);
    r = await root('GET', `/api/user/search?keyword=${encodeURIComponent("x'")}`);
    assert.deepEqual(r.json.data.map((u) => u.username), [name]);
    await login(gw.base, name, 'sql-pass-1');
    assert.ok(nusers() > 3);
  });

  it('DELETE /api/user/:id soft-deletes; the user disappears from the list and cannot log in', async () => {
    const e = userRow('erin');
    let r = await root('DELETE', `/api/user/${e.id}`);
    assert.deepEqual(r.json, { success: true, message: '' });
    const row = sql(gw.dbPath, `SELECT username, status FROM users WHERE id = ${e.id}`)[0];
    assert.match(row[0], /^deleted_[0-9a-f]{32}$/);
    assert.equal(row[1], '3');
    r = await root('GET', '/api/user/?p=0&size=100');
    assert.ok(!r.json.data.some((u) => u.id === e.id));
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'erin', password: 'erin-pass-1' } });
    assert.equal(r.json.success, false);
    r = await as(e.at)('GET', '/api/user/self');
    assert.equal(r.json.message, '用户已被封禁');
    // a user deletes themself
    const c = await login(gw.base, 'dave', 'dave-pass-1');
    r = await api(gw.base, 'DELETE', '/api/user/self', { cookie: c });
    assert.deepEqual(r.json, { success: true, message: '' });
    r = await api(gw.base, 'GET', '/api/user/self', { cookie: c });
    assert.equal(r.status, 401);	// the deletion ended the session
    r = await root('DELETE', '/api/user/99999');
    assert.deepEqual(r.json, { success: false, message: '用户不存在' });
  });
});

describe('an existing One API database', () => {
  let gw;
  let dir;

  before(async () => {
    dir = tempDir();
    const db = path.join(dir, 'one-api.db');
    execFileSync('sqlite3', [db], { input: fs.readFileSync(path.join(repoRoot, 'test/fixtures/oneapi-gorm.sql')) });
    gw = await startGateway({ dir });
    assert.equal(gw.dbPath, db);
  });
  after(async () => { await gw?.stop(); });

  it('keeps its users: root logs in with the old password, not 123456', async () => {
    let r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '123456' } });
    assert.equal(r.json.success, false);
    const c = await login(gw.base, 'root', 'OldRootPass1');
    r = await api(gw.base, 'GET', '/api/user/self', { cookie: c });
    assert.equal(r.json.data.quota, 499999999000000);
    assert.equal(r.json.data.used_quota, 1000000);
    assert.equal(r.json.data.request_count, 42);
    assert.equal(r.json.data.email, 'root@example.com');
    assert.equal(r.json.data.aff_code, 'R00t');
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM users'), 3);
    // the Go x/crypto/bcrypt hash of alice, by email too
    await login(gw.base, 'alice', 'allmine');
    await login(gw.base, 'alice@example.com', 'allmine');
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'carol', password: 'allmine' } });
    assert.equal(r.json.message, '用户名或密码错误，或用户已被封禁');	// status 2
    r = await api(gw.base, 'GET', '/api/user/self', { accessToken: 'f0a1b2c3d4e5f60718293a4b5c6d7e8f' });
    assert.equal(r.json.data.username, 'root');
  });

  it('lists its users, tokens and channels', async () => {
    const c = await login(gw.base, 'root', 'OldRootPass1');
    let r = await api(gw.base, 'GET', '/api/user/?p=0', { cookie: c });
    assert.deepEqual(r.json.data.map((u) => u.username), ['carol', 'alice', 'root']);
    const a = r.json.data.find((u) => u.username === 'alice');
    assert.equal(a.group, 'vip');
    assert.equal(a.inviter_id, 1);
    assert.equal(a.access_token, '');	// never another user's credential
    r = await api(gw.base, 'GET', '/api/token/?p=0', { cookie: c });
    assert.equal(r.json.success, true, r.text);
    assert.deepEqual(r.json.data.map((t) => t.id).sort(), [1, 2]);
    const t2 = r.json.data.find((t) => t.id === 2);
    assert.equal(t2.key, 'Qrstuvwxyz012345F0E1D2C3B4A5968778695A4B3C2D1E0F');
    assert.equal(t2.remain_quota, 123456);
    assert.equal(t2.unlimited_quota, false);
    assert.equal(t2.models, 'gpt-4o,gpt-4o-mini');
    assert.equal(t2.subnet, '127.0.0.1/32');
    r = await api(gw.base, 'GET', '/api/channel/?p=0', { cookie: c });
    assert.equal(r.json.success, true, r.text);
    assert.deepEqual(r.json.data.map((ch) => ch.name), ['claude backup', 'openai main']);
    for (const ch of r.json.data) assert.equal(ch.key ?? '', '');
  });

  it('migration added our tables only and kept the fork\'s columns and rows', async () => {
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM fcgi_migrations'), 1);
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM users WHERE metadata = '{\"tier\":\"gold\"}' AND created_at = 1700000000000"), 1);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM traces'), 1);
    assert.equal(count(gw.dbPath, 'SELECT ratelimit FROM channels WHERE id = 2'), 3);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM abilities'), 5);
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM options WHERE `key` = 'SystemName' AND value = 'Old One API'"), 1);
  });

  it('an admin edit writes only the columns it names', async () => {
    const c = await login(gw.base, 'root', 'OldRootPass1');
    const before = sql(gw.dbPath, 'SELECT * FROM users WHERE id = 2')[0];
    const r = await api(gw.base, 'PUT', '/api/user/', { cookie: c, body: { id: 2, quota: 300000 } });
    assert.equal(r.json.success, true, r.text);
    const after = sql(gw.dbPath, 'SELECT * FROM users WHERE id = 2')[0];
    const qi = Number(sql(gw.dbPath, "SELECT cid FROM pragma_table_info('users') WHERE name = 'quota'")[0][0]);
    assert.equal(after[qi], '300000');
    after[qi] = before[qi];
    assert.deepEqual(after, before);
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM logs WHERE type = 3 AND user_id = 2 AND content LIKE '管理员将用户额度从 ＄0.500000 额度修改为 ＄0.600000 额度'"), 1);
  });
});
