// test/integration/relay-cache.test.mjs: the relay's in-process row cache
// (fcgi/cache.c). A token, user or channel changed through the management
// API is seen by the very next relay request; the cache lives for an hour
// here, so only invalidation can explain that. Another process sharing the
// database sees the change within CACHE_TTL_SEC; CACHE_TTL_SEC=0 reads
// every row each time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, startGateway, sleep } from './harness.mjs';
import { setupRelay, assertRelayError, ROOT_AT, USER_MSG } from './relay-lib.mjs';

describe('relay cache: management writes are seen by the next request', () => {
  let R;
  let frank;

  before(async () => {
    R = await setupRelay({ env: { CACHE_TTL_SEC: 3600, SYNC_FREQUENCY: 3600 } });
    frank = await R.user('frank', { quota: 100000000 });
  });
  after(async () => { await R?.stop(); });

  const ask = (key, model) => R.chat(key, { model, messages: USER_MSG });
  const asFrank = (method, path, body) => api(R.base, method, path, { cookie: frank.cookie, body });
  /** Two requests in a row, so the second one is served from the cache. */
  async function warm(key, model) {
    for (let i = 0; i < 2; i++) assert.equal((await ask(key, model)).status, 200);
  }

  it('a token disabled through the API: refused at once; enabled again: served', async () => {
    await R.channel({ models: 'c-tok' });
    const t = await R.token(frank, { unlimited_quota: true });
    await warm(t.key, 'c-tok');
    let r = await asFrank('PUT', '/api/token/?status_only=true', { id: t.id, status: 2 });
    assert.equal(r.json?.success, true, r.text);
    const e = assertRelayError(await ask(t.key, 'c-tok'), 401, 'disabled token');
    assert.match(e.message, /该令牌状态不可用/);
    r = await asFrank('PUT', '/api/token/?status_only=true', { id: t.id, status: 1 });
    assert.equal(r.json?.success, true, r.text);
    assert.equal((await ask(t.key, 'c-tok')).status, 200);
  });

  it('a token deleted through the API: refused at once', async () => {
    await R.channel({ models: 'c-del' });
    const t = await R.token(frank, { unlimited_quota: true });
    await warm(t.key, 'c-del');
    const r = await asFrank('DELETE', `/api/token/${t.id}`);
    assert.equal(r.json?.success, true, r.text);
    const e = assertRelayError(await ask(t.key, 'c-del'), 401, 'deleted token');
    assert.match(e.message, /无效的令牌/);
  });

  it('a token\'s models and quota changed through the API: seen at once', async () => {
    await R.channel({ models: 'c-m1,c-m2' });
    const t = await R.token(frank, { unlimited_quota: true });
    await warm(t.key, 'c-m1');
    let r = await asFrank('PUT', '/api/token/', {
      id: t.id, name: t.name, remain_quota: 0, unlimited_quota: true, expired_time: -1, models: 'c-m2',
    });
    assert.equal(r.json?.success, true, r.text);
    const e = assertRelayError(await ask(t.key, 'c-m1'), 403, 'model no longer allowed');
    assert.match(e.message, /该令牌无权使用模型：c-m1/);
    assert.equal((await ask(t.key, 'c-m2')).status, 200);
    // no quota left and no longer unlimited: refused (and marked exhausted)
    r = await asFrank('PUT', '/api/token/', {
      id: t.id, name: t.name, remain_quota: 0, unlimited_quota: false, expired_time: -1, models: '',
    });
    assert.equal(r.json?.success, true, r.text);
    assert.match(assertRelayError(await ask(t.key, 'c-m2'), 401, 'no quota').message, /额度已用尽/);
    assert.equal(R.num(`SELECT status FROM tokens WHERE id = ${t.id}`), 4);
  });

  it('a user\'s quota lowered through the API: 403 at once; raised: served', async () => {
    await R.channel({ models: 'c-uq' });
    const gus = await R.user('gus', { quota: 100000000 });
    const t = await R.token(gus, { unlimited_quota: true });
    await warm(t.key, 'c-uq');
    let r = await R.root('PUT', '/api/user/', { id: gus.id, quota: 1 });
    assert.equal(r.json?.success, true, r.text);
    const e = assertRelayError(await ask(t.key, 'c-uq'), 403, 'user quota');
    assert.equal(e.code, 'insufficient_user_quota');
    r = await R.root('PUT', '/api/user/', { id: gus.id, quota: 100000000 });
    assert.equal(r.json?.success, true, r.text);
    assert.equal((await ask(t.key, 'c-uq')).status, 200);
  });

  it('a user disabled through /api/user/manage: 403 at once; enabled: served', async () => {
    await R.channel({ models: 'c-off' });
    const hal = await R.user('hal', { quota: 100000000 });
    const t = await R.token(hal, { unlimited_quota: true });
    await warm(t.key, 'c-off');
    let r = await R.root('POST', '/api/user/manage', { username: 'hal', action: 'disable' });
    assert.equal(r.json?.success, true, r.text);
    assert.match(assertRelayError(await ask(t.key, 'c-off'), 403, 'disabled user').message, /用户已被封禁/);
    r = await R.root('POST', '/api/user/manage', { username: 'hal', action: 'enable' });
    assert.equal(r.json?.success, true, r.text);
    assert.equal((await ask(t.key, 'c-off')).status, 200);
  });

  it('a user moved to another group: routed to that group\'s channels at once', async () => {
    const dflt = await R.channel({ models: 'c-grp', group: 'default' });
    const vip = await R.channel({ models: 'c-grp', group: 'vip' });
    const ida = await R.user('ida', { quota: 100000000 });
    const t = await R.token(ida, { unlimited_quota: true });
    await warm(t.key, 'c-grp');
    const r = await R.root('PUT', '/api/user/', { id: ida.id, group: 'vip' });
    assert.equal(r.json?.success, true, r.text);
    R.up.reset();
    assert.equal((await ask(t.key, 'c-grp')).status, 200);
    assert.equal(R.up.requestsTo(`/${vip.prefix}`).length, 1);
    assert.equal(R.up.requestsTo(`/${dflt.prefix}`).length, 0);
  });

  it('a channel disabled through the API: skipped at once; the last one: 503; enabled: used again', async () => {
    const a = await R.channel({ models: 'c-ch', priority: 10 });
    const b = await R.channel({ models: 'c-ch', priority: 0 });
    const t = await R.token(frank, { unlimited_quota: true });
    await warm(t.key, 'c-ch');
    let r = await R.root('PUT', '/api/channel/', { id: a.id, status: 2 });
    assert.equal(r.json?.success, true, r.text);
    R.up.reset();
    assert.equal((await ask(t.key, 'c-ch')).status, 200);
    assert.equal(R.up.requestsTo(`/${a.prefix}`).length, 0);
    assert.equal(R.up.requestsTo(`/${b.prefix}`).length, 1);
    r = await R.root('PUT', '/api/channel/', { id: b.id, status: 2 });
    assert.equal(r.json?.success, true, r.text);
    assertRelayError(await ask(t.key, 'c-ch'), 503, 'no channel left');
    r = await R.root('PUT', '/api/channel/', { id: a.id, status: 1 });
    assert.equal(r.json?.success, true, r.text);
    R.up.reset();
    assert.equal((await ask(t.key, 'c-ch')).status, 200);
    assert.equal(R.up.requestsTo(`/${a.prefix}`).length, 1);
  });

  it('a channel\'s base URL changed, a channel added, a channel deleted: seen at once', async () => {
    const t = await R.token(frank, { unlimited_quota: true });
    // no channel at all is an answer the cache keeps too
    assertRelayError(await ask(t.key, 'c-new'), 503, 'no channel yet');
    assertRelayError(await ask(t.key, 'c-new'), 503, 'no channel yet');
    const c = await R.channel({ models: 'c-new', prefix: 'c-new-a' });
    await warm(t.key, 'c-new');
    let r = await R.root('PUT', '/api/channel/', { id: c.id, base_url: `${R.up.base}/c-new-b` });
    assert.equal(r.json?.success, true, r.text);
    R.up.reset();
    assert.equal((await ask(t.key, 'c-new')).status, 200);
    assert.equal(R.up.requestsTo('/c-new-b').length, 1);
    assert.equal(R.up.requestsTo('/c-new-a').length, 0);
    r = await R.root('DELETE', `/api/channel/${c.id}`);
    assert.equal(r.json?.success, true, r.text);
    assertRelayError(await ask(t.key, 'c-new'), 503, 'channel deleted');
  });

  it('a change behind the process\'s back waits for the TTL (an hour here)', async () => {
    await R.channel({ models: 'c-back' });
    const t = await R.token(frank, { unlimited_quota: true });
    await warm(t.key, 'c-back');
    R.sql(`UPDATE tokens SET models = 'something-else' WHERE id = ${t.id}`);
    assert.equal((await ask(t.key, 'c-back')).status, 200);
  });
});

describe('relay cache: another process sharing the database', () => {
  let A;
  let B;

  before(async () => {
    A = await setupRelay({ env: { CACHE_TTL_SEC: 1 } });
    B = await startGateway({ env: { SQLITE_PATH: A.dbPath, CACHE_TTL_SEC: 1, INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
  });
  after(async () => {
    try { await B?.stop(); } finally { await A?.stop(); }
  });

  it('sees a token disabled in the other one within CACHE_TTL_SEC', async () => {
    await A.channel({ models: 'x-proc' });
    const t = await A.token(null, { unlimited_quota: true });
    const askB = () => api(B.base, 'POST', '/v1/chat/completions', {
      token: `sk-${t.key}`, body: { model: 'x-proc', messages: USER_MSG },
    });
    assert.equal((await askB()).status, 200);
    const r = await A.root('PUT', '/api/token/?status_only=true', { id: t.id, status: 2 });
    assert.equal(r.json?.success, true, r.text);
    assertRelayError(await A.chat(t.key, { model: 'x-proc', messages: USER_MSG }), 401, 'in A: at once');
    await sleep(1300);
    assertRelayError(await askB(), 401, 'in B: after the TTL');
  });
});

describe('relay cache: CACHE_TTL_SEC=0', () => {
  let R;

  before(async () => { R = await setupRelay({ env: { CACHE_TTL_SEC: 0 } }); });
  after(async () => { await R?.stop(); });

  it('reads every row each time: a change behind the process\'s back is seen at once', async () => {
    await R.channel({ models: 'z-a,z-b' });
    const t = await R.token(null, { unlimited_quota: true });
    assert.equal((await R.chat(t.key, { model: 'z-a', messages: USER_MSG })).status, 200);
    R.sql(`UPDATE tokens SET models = 'z-b' WHERE id = ${t.id}`);
    assertRelayError(await R.chat(t.key, { model: 'z-a', messages: USER_MSG }), 403, 'models changed');
  });
});
