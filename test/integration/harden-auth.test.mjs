// test/integration/harden-auth.test.mjs: the attacks of issue 10 on accounts, through lighttpd:
// an admin reading root's credentials, stolen cookies, password guessing, cross-site writes,
// look-alike usernames, the anonymous cost lookup
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startGateway, api, login, sleep } from './harness.mjs';

const ROOT_AT = 'hardenroot0access0token000000001';

function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Make a user through root's access token; returns its id. */
async function mkUser(gw, username, password) {
  const r = await api(gw.base, 'POST', '/api/user/', { accessToken: ROOT_AT, body: { username, password } });
  assert.equal(r.json?.success, true, r.text);
  return Number(sql(gw.dbPath, `SELECT id FROM users WHERE username = '${username}'`)[0][0]);
}

describe('accounts: privileges and sessions', () => {
  let gw;
  const root = (method, p, body) => api(gw.base, method, p, { accessToken: ROOT_AT, body });
  before(async () => { gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } }); });
  after(async () => { await gw?.stop(); });

  it('an admin sees no access token of anyone (root included) and cannot become root', async () => {
    await mkUser(gw, 'adm', 'adm-pass-01');
    assert.equal((await root('POST', '/api/user/manage', { username: 'adm', action: 'promote' })).json.success, true);
    const c = await login(gw.base, 'adm', 'adm-pass-01');
    const as = (p) => api(gw.base, 'GET', p, { cookie: c });
    const seen = [];
    for (const p of ['/api/user/?p=0', '/api/user/?p=0&size=100&order=quota', '/api/user/search?keyword=root',
      '/api/user/search?keyword=1', '/api/user/search?keyword=']) {
      const r = await as(p);
      assert.equal(r.json.success, true, r.text);
      seen.push(...r.json.data);
    }
    assert.ok(seen.some((u) => u.username === 'root'));
    for (const u of seen) {
      assert.equal(u.access_token, '', `${u.username}'s access token shown`);
      assert.equal(u.password, '');
    }
    const body = JSON.stringify(seen);
    assert.ok(!body.includes(ROOT_AT));
    assert.ok(!body.includes('$2a$'));
    // root's own row is off limits, and root-only routes stay closed
    let r = await as('/api/user/1');
    assert.equal(r.json.success, false);
    assert.ok(!r.text.includes(ROOT_AT));
    r = await api(gw.base, 'PUT', '/api/option/', { cookie: c, body: { key: 'SystemName', value: 'pwned' } });
    assert.equal(r.json.success, false);
    r = await api(gw.base, 'PUT', '/api/option/', { accessToken: ROOT_AT.replace('1', '2'), body: { key: 'SystemName', value: 'pwned' } });
    assert.equal(r.json.success, false);
    assert.notEqual(sql(gw.dbPath, "SELECT count(*) FROM options WHERE value = 'pwned'")[0][0], '1');
  });

  it('each login is a new session id', async () => {
    const a = await login(gw.base);
    const b = await login(gw.base);
    assert.notEqual(a, b);
    for (const c of [a, b]) assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: c })).json.data.id, 1);
  });

  it('a stolen cookie dies at logout, everywhere', async () => {
    await mkUser(gw, 'vic1', 'vic1-pass-01');
    const mine = await login(gw.base, 'vic1', 'vic1-pass-01');
    const stolen = await login(gw.base, 'vic1', 'vic1-pass-01');	// another device, or a copy
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: stolen })).status, 200);
    // a logout link on another site drops that browser's cookie, not every session
    const other = await login(gw.base, 'vic1', 'vic1-pass-01');
    let r = await api(gw.base, 'GET', '/api/user/logout', { cookie: other, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.match(r.setCookie.join('|'), /session=;/);
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: stolen })).status, 200);
    await api(gw.base, 'GET', '/api/user/logout', { cookie: mine });
    for (const c of [mine, stolen]) {
      r = await api(gw.base, 'GET', '/api/user/self', { cookie: c });
      assert.equal(r.status, 401, r.text);
      assert.match(r.setCookie.join('|'), /session=;/);	// and the browser is told to drop it
    }
    // the admin pages agree
    const page = await api(gw.base, 'GET', '/tokens', { cookie: stolen });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login?next=/tokens');
    // signing in again works
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: await login(gw.base, 'vic1', 'vic1-pass-01') })).status, 200);
  });

  it('a password change ends every other session; the changer goes on with a new cookie', async () => {
    await mkUser(gw, 'vic2', 'vic2-pass-01');
    const stolen = await login(gw.base, 'vic2', 'vic2-pass-01');
    const mine = await login(gw.base, 'vic2', 'vic2-pass-01');
    const r = await api(gw.base, 'PUT', '/api/user/self', { cookie: mine, body: { password: 'vic2-pass-02' } });
    assert.equal(r.json.success, true, r.text);
    const fresh = r.setCookie.map((s) => s.split(';')[0]).find((s) => s.startsWith('session=') && s !== 'session=');
    assert.ok(fresh, r.setCookie.join('|'));
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: stolen })).status, 401);
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: mine })).status, 401);
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: fresh })).status, 200);
    // an admin resetting the password ends them too
    const vid = Number(sql(gw.dbPath, "SELECT id FROM users WHERE username = 'vic2'")[0][0]);
    assert.equal((await root('PUT', '/api/user/', { id: vid, password: 'vic2-pass-03' })).json.success, true);
    assert.equal((await api(gw.base, 'GET', '/api/user/self', { cookie: fresh })).status, 401);
  });

  it('disable, delete and demotion end the sessions; a quota edit does not', async () => {
    const id = await mkUser(gw, 'vic3', 'vic3-pass-01');
    let c = await login(gw.base, 'vic3', 'vic3-pass-01');
    const self = (ck) => api(gw.base, 'GET', '/api/user/self', { cookie: ck });
    assert.equal((await root('PUT', '/api/user/', { id, quota: 777 })).json.success, true);
    assert.equal((await self(c)).status, 200);
    // disabled, then enabled again: the old cookie stays dead
    assert.equal((await root('POST', '/api/user/manage', { username: 'vic3', action: 'disable' })).json.success, true);
    assert.equal((await root('POST', '/api/user/manage', { username: 'vic3', action: 'enable' })).json.success, true);
    assert.equal((await self(c)).status, 401);
    // demoted admin: the admin cookie no longer opens anything
    assert.equal((await root('POST', '/api/user/manage', { username: 'vic3', action: 'promote' })).json.success, true);
    c = await login(gw.base, 'vic3', 'vic3-pass-01');
    assert.equal((await api(gw.base, 'GET', '/api/user/?p=0', { cookie: c })).json.success, true);
    assert.equal((await root('POST', '/api/user/manage', { username: 'vic3', action: 'demote' })).json.success, true);
    assert.equal((await self(c)).status, 401);
    assert.equal((await api(gw.base, 'GET', '/api/user/?p=0', { cookie: c })).status, 401);
    c = await login(gw.base, 'vic3', 'vic3-pass-01');
    assert.equal((await root('DELETE', `/api/user/${id}`)).json.success, true);
    assert.equal((await self(c)).status, 401);
  });

  it('cookie writes must be JSON and same-site; scripts with an access token are unaffected', async () => {
    const id = await mkUser(gw, 'mal1', 'mal1-pass-01');
    const c = await login(gw.base);
    const role = () => Number(sql(gw.dbPath, `SELECT role FROM users WHERE id = ${id}`)[0][0]);
    const promote = JSON.stringify({ username: 'mal1', action: 'promote' });
    // the attack: a form or no-cors fetch from another site
    let r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } });
    assert.equal(r.status, 403);
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 403);
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 403);
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'application/json', origin: 'https://evil.example' } });
    assert.equal(r.status, 403);
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'application/json', referer: 'https://evil.example/x' } });
    assert.equal(r.status, 403);
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'application/json', origin: 'null' } });
    assert.equal(r.status, 403);
    assert.equal(role(), 1);
    // our own pages: JSON from our origin
    r = await api(gw.base, 'POST', '/api/user/manage', { cookie: c, body: promote, headers: { 'content-type': 'application/json; charset=utf-8', origin: gw.base } });
    assert.equal(r.json?.success, true, r.text);
    assert.equal(role(), 10);
    // a script with the access token may send what it likes
    r = await api(gw.base, 'POST', '/api/user/manage', { accessToken: ROOT_AT, body: JSON.stringify({ username: 'mal1', action: 'demote' }), headers: { 'content-type': 'text/plain' } });
    assert.equal(r.json?.success, true, r.text);
    assert.equal(role(), 1);
  });

  it('GET /api/user/token is no simple cross-site GET; it works from our pages', async () => {
    await mkUser(gw, 'mal2', 'mal2-pass-01');
    const c = await login(gw.base, 'mal2', 'mal2-pass-01');
    const at = () => sql(gw.dbPath, "SELECT access_token FROM users WHERE username = 'mal2'")[0][0];
    const before = at();
    for (const headers of [{}, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' },
      { referer: 'https://evil.example/page' }, { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }]) {
      const r = await api(gw.base, 'GET', '/api/user/token', { cookie: c, headers });
      assert.equal(r.status, 403, JSON.stringify(headers));
    }
    assert.equal(at(), before);
    let r = await api(gw.base, 'GET', '/api/user/token', { cookie: c, headers: { referer: `${gw.base}/panel` } });
    assert.equal(r.json?.success, true, r.text);
    r = await api(gw.base, 'GET', '/api/user/token', { cookie: c, headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(r.json?.success, true, r.text);
    assert.equal(r.json.data, at());
    // with the access token itself: a script
    r = await api(gw.base, 'GET', '/api/user/token', { accessToken: r.json.data });
    assert.equal(r.json?.success, true, r.text);
  });

  it('usernames that differ only by case or surrounding spaces cannot coexist', async () => {
    let r = await api(gw.base, 'POST', '/api/user/register', { body: { username: 'mallory', password: 'mallory-pass1' } });
    assert.equal(r.json.success, true, r.text);
    for (const username of ['MALLORY', 'Mallory', 'mallory ', ' mallory', 'mallory\t']) {
      r = await api(gw.base, 'POST', '/api/user/register', { body: { username, password: 'mallory-pass1' } });
      assert.equal(r.json.success, false, JSON.stringify(username));
      r = await root('POST', '/api/user/', { username, password: 'mallory-pass1' });
      assert.equal(r.json.success, false, JSON.stringify(username));
    }
    for (const username of ['mal\u0007x', 'mal\nx', 'mal\u007fx']) {
      r = await root('POST', '/api/user/', { username, password: 'mallory-pass1' });
      assert.equal(r.json.success, false, JSON.stringify(username));
    }
    const id = await mkUser(gw, 'trent', 'trent-pass-1');
    r = await root('PUT', '/api/user/', { id, username: 'MALLORY' });
    assert.match(r.json.message, /用户名已存在/);
    r = await root('PUT', '/api/user/', { id, username: 'TRENT' });	// one's own name in another case is fine
    assert.equal(r.json.success, true, r.text);
    assert.equal(sql(gw.dbPath, "SELECT count(*) FROM users WHERE lower(trim(username)) = 'mallory'")[0][0], '1');
  });
});

describe('sign-in rate limits (CRITICAL_RATE_LIMIT 20 per 20 min, per IP)', () => {
  let gw;
  before(async () => { gw = await startGateway({ env: { CRITICAL_RATE_LIMIT: undefined } }); });
  after(async () => { await gw?.stop(); });

  it('the 20th login attempt is answered, the 21st gets 429 with Retry-After, even with the right password', async () => {
    for (let i = 1; i <= 20; i++) {
      // wrong names: no slow-down per username gets in the way
      const r = await api(gw.base, 'POST', '/api/user/login', { body: { username: `nobody${i}`, password: 'wrong-pass' } });
      assert.equal(r.status, 200, `attempt ${i}: ${r.text}`);
      assert.equal(r.json.success, false);
    }
    let r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'root', password: '123456' } });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.success, false);
    assert.match(r.json.message, /retry in \d+ s/);
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 1100 && ra <= 1200, String(ra));
    assert.equal(r.setCookie.length, 0);
    // register and the sign-in page share the budget
    r = await api(gw.base, 'POST', '/api/user/register', { body: { username: 'late', password: 'late-pass-01' } });
    assert.equal(r.status, 429);
    assert.equal(sql(gw.dbPath, "SELECT count(*) FROM users WHERE username = 'late'")[0][0], '0');
    r = await api(gw.base, 'POST', '/login', { body: 'username=root&password=123456', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 429);
    assert.match(r.text, /Too many sign-in attempts/);
    assert.equal(r.setCookie.length, 0);
    // other routes are not limited
    r = await api(gw.base, 'GET', '/api/status');
    assert.equal(r.status, 200);
  });
});

describe('slow-down of repeated wrong passwords per username', () => {
  let gw;
  before(async () => { gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } }); });
  after(async () => { await gw?.stop(); });

  it('after 5 wrong passwords the next try waits, even the right one, on the API and the page', async () => {
    await mkUser(gw, 'bob', 'bob-pass-001');
    for (let i = 0; i < 5; i++) {
      const r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'bob', password: `guess-${i}-xx` } });
      assert.equal(r.status, 200);
      assert.equal(r.json.success, false);
    }
    let r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'BOB ', password: 'bob-pass-001' } });
    assert.equal(r.status, 429, r.text);
    assert.equal(r.headers.get('retry-after'), '1');
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'bob', password: 'bob-pass-001' } });
    assert.equal(r.status, 429);
    r = await api(gw.base, 'POST', '/login', { body: 'username=bob&password=bob-pass-001', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 429);
    assert.match(r.text, /Too many failed sign-ins/);
    // another user is not slowed down
    assert.ok(await login(gw.base));
    await sleep(1100);
    const c = await login(gw.base, 'bob', 'bob-pass-001');
    assert.ok(c);
    // success forgets the failures
    r = await api(gw.base, 'POST', '/api/user/login', { body: { username: 'bob', password: 'wrong-again' } });
    assert.equal(r.status, 200);
  });
});
