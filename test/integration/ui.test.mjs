// test/integration/ui.test.mjs: the admin UI (HTML pages) through lighttpd, as a browser uses it
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { startGateway, api } from './harness.mjs';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** POST an HTML form (fields: object) with an optional cookie; no redirects followed. */
function post(base, path, fields, cookie) {
  return api(base, 'POST', path, { body: new URLSearchParams(fields).toString(), headers: FORM, cookie });
}

/** The hidden CSRF field of a page. */
function csrfOf(html) {
  const m = /name="csrf" value="([0-9a-f]{64})"/.exec(html);
  assert.ok(m, `no CSRF field in:\n${html.slice(0, 2000)}`);
  return m[1];
}

/** Sign in through the form; returns the "session=..." cookie. */
async function formLogin(base, username = 'root', password = '123456') {
  const r = await post(base, '/login', { username, password });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/');
  const c = r.setCookie.map((s) => s.split(';')[0]).find((s) => s.startsWith('session='));
  assert.ok(c, `no session cookie: ${JSON.stringify(r.setCookie)}`);
  return c;
}

/** HTML Tidy's errors (not warnings: tidy 5.6 does not know every HTML5 attribute), or null without tidy. */
function tidyErrors(html) {
  const r = spawnSync('tidy', ['-errors', '-q', '--show-warnings', 'no'], { input: html, encoding: 'utf8' });
  if (r.error) return null;
  return r.stderr.split('\n').filter((l) => /Error:/.test(l));
}

/** Rows of a table in the local SQLite file (read-only checks of what was written). */
function sql(dbPath, query) {
  return execFileSync('sqlite3', ['-readonly', dbPath, query], { encoding: 'utf8' }).trim();
}

describe('admin UI through lighttpd', () => {
  let gw;
  let root;
  before(async () => {
    gw = await startGateway();
    root = await formLogin(gw.base);
  });
  after(async () => { await gw?.stop(); });

  it('GET / redirects to /login when not signed in', async () => {
    const r = await api(gw.base, 'GET', '/');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login');
    const bad = await api(gw.base, 'GET', '/channels', { cookie: 'session=1.99999999999.00' });
    assert.equal(bad.status, 303, 'a forged cookie is not a session');
    assert.equal(bad.headers.get('location'), '/login?next=/channels', 'back to the page after signing in');
  });

  it('the login page is a form', async () => {
    const r = await api(gw.base, 'GET', '/login');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.match(r.text, /<form method="post" action="\/login"/);
    assert.match(r.text, /name="password" type="password"/);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.match(r.headers.get('content-security-policy') || '', /frame-ancestors 'none'/);
  });

  it('root / 123456 signs in with a SameSite cookie and sees the dashboard', async () => {
    const r = await post(gw.base, '/login', { username: 'root', password: '123456' });
    assert.equal(r.status, 303);
    const sc = r.setCookie.find((s) => s.startsWith('session='));
    assert.match(sc, /HttpOnly/i);
    assert.match(sc, /SameSite=Lax/i);
    const d = await api(gw.base, 'GET', '/', { cookie: sc.split(';')[0] });
    assert.equal(d.status, 200);
    assert.match(d.text, /<h1>Dashboard<\/h1>/);
    assert.match(d.text, /<dd>root<\/dd>/);
    assert.match(d.text, /500000000000000/, 'quota of the bootstrap root');
    assert.match(d.text, /<a href="\/channels"/, 'admins get the Channels link');
    // signed in, /login goes home
    const l = await api(gw.base, 'GET', '/login', { cookie: sc.split(';')[0] });
    assert.equal(l.status, 303);
  });

  it('a wrong password shows the form again with an error and sets no cookie', async () => {
    const r = await post(gw.base, '/login', { username: 'root', password: 'wrong-password' });
    assert.equal(r.status, 401);
    assert.match(r.text, /Wrong username or password/);
    assert.match(r.text, /value="root"/, 'the username is kept');
    assert.equal(r.setCookie.filter((s) => s.startsWith('session=') && !/Max-Age=0|=;/.test(s)).length, 0);
    const u = await post(gw.base, '/login', { username: 'nobody', password: 'x' });
    assert.equal(u.status, 401);
    assert.match(u.text, /Wrong username or password/);
  });

  it('channels created with the form are listed, one per key line, and their keys never shown', async () => {
    const page = await api(gw.base, 'GET', '/channels', { cookie: root });
    assert.equal(page.status, 200);
    assert.match(page.text, /<option value="14"[^>]*>Anthropic \(14\)/);
    const before = Number(sql(gw.dbPath, 'SELECT COUNT(*) FROM channels'));
    const r = await post(gw.base, '/channels', {
      csrf: csrfOf(page.text), name: 'ui-openai', type: '1',
      key: 'sk-uisecret-AAAA1111\r\nsk-uisecret-BBBB2222\r\n', base_url: 'https://example.test',
      models: 'gpt-4o-mini,gpt-4o', group: 'default', priority: '3',
    }, root);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), '/channels?msg=channel_created');
    assert.equal(Number(sql(gw.dbPath, 'SELECT COUNT(*) FROM channels')), before + 2);
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM abilities a JOIN channels c ON c.id = a.channel_id WHERE c.name = 'ui-openai'"), '4');
    const list = await api(gw.base, 'GET', '/channels?msg=channel_created', { cookie: root });
    assert.equal(list.status, 200);
    assert.match(list.text, /Channel created\./);
    assert.equal((list.text.match(/\/edit">ui-openai<\/a>/g) || []).length, 2);
    assert.match(list.text, /<code>gpt-4o-mini<\/code> <code>gpt-4o<\/code>/);
    assert.match(list.text, /https:\/\/example\.test/);
    assert.doesNotMatch(list.text, /uisecret/, 'a channel key appeared on the page');
  });

  it('channels can be disabled, enabled and deleted', async () => {
    const id = sql(gw.dbPath, "SELECT id FROM channels WHERE name = 'ui-openai' ORDER BY id LIMIT 1");
    const csrf = csrfOf((await api(gw.base, 'GET', '/channels', { cookie: root })).text);
    let r = await post(gw.base, `/channels/${id}/status`, { csrf, status: '2' }, root);
    assert.equal(r.status, 303, r.text);
    assert.equal(sql(gw.dbPath, `SELECT status FROM channels WHERE id = ${id}`), '2');
    assert.equal(sql(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${id} AND enabled`), '0');
    r = await post(gw.base, `/channels/${id}/status`, { csrf, status: '1' }, root);
    assert.equal(r.status, 303);
    assert.equal(sql(gw.dbPath, `SELECT status FROM channels WHERE id = ${id}`), '1');
    r = await post(gw.base, `/channels/${id}/delete`, { csrf }, root);
    assert.equal(r.status, 303);
    assert.equal(sql(gw.dbPath, `SELECT COUNT(*) FROM channels WHERE id = ${id}`), '0');
    assert.equal(sql(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${id}`), '0');
  });

  it('a form post without the right CSRF token is 403 and writes nothing', async () => {
    const before = sql(gw.dbPath, 'SELECT COUNT(*) FROM channels');
    const fields = { name: 'csrf-less', type: '1', key: 'k', models: 'm' };
    let r = await post(gw.base, '/channels', fields, root);
    assert.equal(r.status, 403);
    assert.match(r.text, /403 Forbidden/);
    assert.match(r.text, /Request id: <code>\d+<\/code>/);
    r = await post(gw.base, '/channels', { ...fields, csrf: '0'.repeat(64) }, root);
    assert.equal(r.status, 403);
    // a token of another session does not fit this one
    const other = await formLogin(gw.base);
    const otherCsrf = csrfOf((await api(gw.base, 'GET', '/tokens', { cookie: other })).text);
    if (other !== root) {
      r = await post(gw.base, '/channels', { ...fields, csrf: otherCsrf }, root);
      assert.equal(r.status, 403);
    }
    r = await post(gw.base, '/tokens', { name: 'csrf-less' }, root);
    assert.equal(r.status, 403);
    r = await post(gw.base, '/logout', {}, root);
    assert.equal(r.status, 403);
    assert.equal(sql(gw.dbPath, 'SELECT COUNT(*) FROM channels'), before);
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM tokens WHERE name = 'csrf-less'"), '0');
  });

  it('a hostile channel name is shown escaped', async () => {
    const csrf = csrfOf((await api(gw.base, 'GET', '/channels', { cookie: root })).text);
    const name = '<script>alert(1)</script>"\'&';
    const r = await post(gw.base, '/channels', { csrf, name, type: '8', key: 'k-xss', models: 'm<b>' }, root);
    assert.equal(r.status, 303, r.text);
    const list = await api(gw.base, 'GET', '/channels', { cookie: root });
    assert.ok(list.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;'), 'escaped name missing');
    assert.ok(!list.text.includes('<script>alert(1)'), 'raw script tag on the page');
    assert.ok(list.text.includes('m&lt;b&gt;'));
    assert.ok(!list.text.includes('k-xss'));
  });

  it('a form error shows the page again with a fixed message', async () => {
    const csrf = csrfOf((await api(gw.base, 'GET', '/channels', { cookie: root })).text);
    const r = await post(gw.base, '/channels', { csrf, name: 'no-key', type: '1', key: '\n \n', models: 'm' }, root);
    assert.equal(r.status, 400);
    assert.match(r.text, /Enter at least one key/);
    assert.match(r.text, /value="no-key"/, 'fields are refilled');
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM channels WHERE name = 'no-key'"), '0');
  });

  it('the tokens page creates, lists and deletes API keys', async () => {
    const page = await api(gw.base, 'GET', '/tokens', { cookie: root });
    assert.equal(page.status, 200);
    const csrf = csrfOf(page.text);
    let r = await post(gw.base, '/tokens', {
      csrf, name: 'ui-key', remain_quota: '12345', expired_time: '2099-12-31T23:59',
    }, root);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), '/tokens?msg=token_created');
    const row = sql(gw.dbPath, "SELECT id, `key`, remain_quota, unlimited_quota, expired_time, status FROM tokens WHERE name = 'ui-key'");
    const [id, key, remain, unlimited, exp, status] = row.split('|');
    assert.equal(key.length, 48);
    assert.equal(remain, '12345');
    assert.equal(unlimited, '0');
    assert.equal(exp, String(Date.UTC(2099, 11, 31, 23, 59) / 1000));
    assert.equal(status, '1');
    const list = await api(gw.base, 'GET', '/tokens', { cookie: root });
    assert.match(list.text, /\/edit">ui-key<\/a><\/td>/);
    assert.ok(list.text.includes(`sk-${key.slice(0, 4)}…${key.slice(-4)}`), 'masked key missing');
    assert.ok(list.text.includes(`<code class="fullkey">sk-${key}</code>`), 'revealed key missing');
    assert.match(list.text, /2099-12-31 23:59 UTC/);
    // unlimited, never expires
    r = await post(gw.base, '/tokens', { csrf, name: 'ui-unlimited', unlimited: 'on', expired_time: '' }, root);
    assert.equal(r.status, 303);
    assert.equal(sql(gw.dbPath, "SELECT unlimited_quota || ',' || expired_time FROM tokens WHERE name = 'ui-unlimited'"), '1,-1');
    // bad input: fixed messages, nothing written
    r = await post(gw.base, '/tokens', { csrf, name: 'x'.repeat(31) }, root);
    assert.equal(r.status, 400);
    assert.match(r.text, /name is too long/);
    r = await post(gw.base, '/tokens', { csrf, name: 'bad-exp', expired_time: 'tomorrow' }, root);
    assert.equal(r.status, 400);
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM tokens WHERE name = 'bad-exp'"), '0');
    // delete
    r = await post(gw.base, `/tokens/${id}/delete`, { csrf }, root);
    assert.equal(r.status, 303);
    assert.equal(sql(gw.dbPath, `SELECT COUNT(*) FROM tokens WHERE id = ${id}`), '0');
  });

  it('the users page creates users and refuses bad ones', async () => {
    const page = await api(gw.base, 'GET', '/users', { cookie: root });
    assert.equal(page.status, 200);
    assert.match(page.text, /<td data-label="Username">root<\/td>/);
    const csrf = csrfOf(page.text);
    let r = await post(gw.base, '/users', { csrf, username: 'alice', password: 'alice-pass-1', display_name: 'Alice <A>' }, root);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), '/users?msg=user_created');
    assert.equal(sql(gw.dbPath, "SELECT role || ',' || status FROM users WHERE username = 'alice'"), '1,1');
    const list = await api(gw.base, 'GET', '/users?msg=user_created', { cookie: root });
    assert.match(list.text, /User created\./);
    assert.match(list.text, /\/edit">alice<\/a><\/td>/);
    assert.match(list.text, /<td data-label="Display name">Alice &lt;A&gt;<\/td>/);
    const token = sql(gw.dbPath, "SELECT access_token FROM users WHERE username = 'alice'");
    if (token) assert.ok(!list.text.includes(token), 'an access token on the users page');
    // root has no disable button; alice has one
    const rootId = sql(gw.dbPath, "SELECT id FROM users WHERE username = 'root'");
    const aliceId = sql(gw.dbPath, "SELECT id FROM users WHERE username = 'alice'");
    assert.ok(!list.text.includes(`action="/users/${rootId}/status"`));
    assert.ok(list.text.includes(`action="/users/${aliceId}/status"`));
    // taken name, short password: fixed messages, nothing written
    r = await post(gw.base, '/users', { csrf, username: 'alice', password: 'another-pass' }, root);
    assert.equal(r.status, 400);
    assert.match(r.text, /username is taken/);
    r = await post(gw.base, '/users', { csrf, username: 'bob', password: 'short' }, root);
    assert.equal(r.status, 400);
    assert.match(r.text, /8 to 20 characters/);
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM users WHERE username = 'bob'"), '0');
    // the root user cannot be disabled
    r = await post(gw.base, `/users/${rootId}/status`, { csrf, status: '2' }, root);
    assert.equal(r.status, 403);
    assert.equal(sql(gw.dbPath, `SELECT status FROM users WHERE id = ${rootId}`), '1');
  });

  it('a common user cannot open the admin pages, and keeps to their own keys', async () => {
    const alice = await formLogin(gw.base, 'alice', 'alice-pass-1');
    const d = await api(gw.base, 'GET', '/', { cookie: alice });
    assert.equal(d.status, 200);
    assert.match(d.text, /<dd>alice<\/dd>/);
    assert.doesNotMatch(d.text, /href="\/channels"/, 'no Channels link for a common user');
    for (const p of ['/channels', '/users']) {
      const r = await api(gw.base, 'GET', p, { cookie: alice });
      assert.equal(r.status, 403, p);
      assert.match(r.text, /403 Forbidden/);
      assert.match(r.text, /action="\/logout"/, 'the 403 page keeps the menu and logout');
      assert.match(r.text, /href="\/tokens"/);
    }
    const csrf = csrfOf(d.text);
    let r = await post(gw.base, '/channels', { csrf, name: 'by-alice', type: '1', key: 'k', models: 'm' }, alice);
    assert.equal(r.status, 403);
    assert.equal(sql(gw.dbPath, "SELECT COUNT(*) FROM channels WHERE name = 'by-alice'"), '0');
    const rootId = sql(gw.dbPath, "SELECT id FROM users WHERE username = 'root'");
    r = await post(gw.base, `/users/${rootId}/status`, { csrf, status: '2' }, alice);
    assert.equal(r.status, 403);
    // root's keys are not alice's
    const rootKey = sql(gw.dbPath, "SELECT id FROM tokens WHERE name = 'ui-unlimited'");
    const del = await post(gw.base, `/tokens/${rootKey}/delete`, { csrf }, alice);
    assert.equal(del.status, 404);
    assert.equal(sql(gw.dbPath, `SELECT COUNT(*) FROM tokens WHERE id = ${rootKey}`), '1');
    const t = await api(gw.base, 'GET', '/tokens', { cookie: alice });
    assert.equal(t.status, 200);
    assert.doesNotMatch(t.text, /ui-unlimited/);
    // disabled by an admin: signed out at the next page; enabled again: back in
    const aliceId = sql(gw.dbPath, "SELECT id FROM users WHERE username = 'alice'");
    const rootCsrf = csrfOf((await api(gw.base, 'GET', '/users', { cookie: root })).text);
    r = await post(gw.base, `/users/${aliceId}/status`, { csrf: rootCsrf, status: '2' }, root);
    assert.equal(r.status, 303, r.text);
    assert.equal(r.headers.get('location'), '/users?msg=user_disabled');
    const off = await api(gw.base, 'GET', '/tokens', { cookie: alice });
    assert.equal(off.status, 303);
    assert.equal(off.headers.get('location'), '/login?next=/tokens');
    const again = await post(gw.base, '/login', { username: 'alice', password: 'alice-pass-1' });
    assert.equal(again.status, 403);
    assert.match(again.text, /disabled/);
    r = await post(gw.base, `/users/${aliceId}/status`, { csrf: rootCsrf, status: '1' }, root);
    assert.equal(r.status, 303);
    await formLogin(gw.base, 'alice', 'alice-pass-1');
  });

  it('every page is valid HTML (HTML Tidy, when installed)', async (t) => {
    if (tidyErrors('<!doctype html><title>x</title>') === null) { t.skip('tidy not installed'); return; }
    const pages = [['/login'], ['/', root], ['/channels', root], ['/tokens', root], ['/users', root],
      ['/static/nope.css'], ['/channels?p=999', root]];
    for (const [p, cookie] of pages) {
      const r = await api(gw.base, 'GET', p, { cookie });
      assert.match(r.headers.get('content-type'), /text\/html/, p);
      assert.deepEqual(tidyErrors(r.text), [], `${p}:\n${r.text.slice(0, 500)}`);
    }
    const csrf = csrfOf((await api(gw.base, 'GET', '/tokens', { cookie: root })).text);
    const bad = await post(gw.base, '/tokens', { csrf, name: 'x'.repeat(40) }, root);
    assert.deepEqual(tidyErrors(bad.text), []);
  });

  it('logout clears the session cookie', async () => {
    const c = await formLogin(gw.base);
    const csrf = csrfOf((await api(gw.base, 'GET', '/', { cookie: c })).text);
    const r = await post(gw.base, '/logout', { csrf }, c);
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/login');
    assert.ok(r.setCookie.some((s) => s.startsWith('session=') && /Max-Age=(0|-\d+)|expires=Thu, 01 Jan 1970/i.test(s)), JSON.stringify(r.setCookie));
  });

  it('GET /static/style.css is CSS with long caching; unknown files are 404 pages', async () => {
    const r = await api(gw.base, 'GET', '/static/style.css');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/css/);
    assert.match(r.headers.get('cache-control') || '', /max-age=\d+/);
    assert.match(r.text, /:root/);
    const js = await api(gw.base, 'GET', '/static/ui.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    const n = await api(gw.base, 'GET', '/static/nope%3Cscript%3E.css');
    assert.equal(n.status, 404);
    assert.match(n.headers.get('content-type'), /text\/html/);
    assert.doesNotMatch(n.text, /nope/i, 'the error page reflects the request');
  });
});
