// test/integration/relay-auth.test.mjs: One API's TokenAuth on /v1: token
// status, expiry, remaining quota, subnet, owner status, with its statuses
// and messages, and the token marked expired/exhausted as One API does.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupRelay, assertRelayError, USER_MSG } from './relay-lib.mjs';

describe('relay: key checks', () => {
  let R;
  let frank;

  before(async () => {
    R = await setupRelay();
    await R.channel({ models: 'gpt-4o-mini' });
    frank = await R.user('frank', { quota: 100000000 });
  });
  after(async () => { await R?.stop(); });

  const ask = (key) => R.chat(key, { model: 'gpt-4o-mini', messages: USER_MSG });
  const status = (id) => R.num(`SELECT status FROM tokens WHERE id = ${id}`);

  it('a working key: 200', async () => {
    const t = await R.token(frank, { unlimited_quota: true });
    const r = await ask(t.key);
    assert.equal(r.status, 200, r.text);
  });

  it('a disabled key (status 2): 401', async () => {
    const t = await R.token(frank, { unlimited_quota: true });
    R.sql(`UPDATE tokens SET status = 2 WHERE id = ${t.id}`);
    assertRelayError(await ask(t.key), 401, 'disabled token');
  });

  it('an expired key: 401 "该令牌已过期", and the token is marked expired (3)', async () => {
    const t = await R.token(frank, { unlimited_quota: true });
    R.sql(`UPDATE tokens SET expired_time = 1000 WHERE id = ${t.id}`);
    const e = assertRelayError(await ask(t.key), 401, 'expired token');
    assert.match(e.message, /该令牌已过期/);
    assert.equal(status(t.id), 3);
    assertRelayError(await ask(t.key), 401, 'expired token again');
  });

  it('a key with no quota left: 401 "该令牌额度已用尽", and the token is marked exhausted (4)', async () => {
    const t = await R.token(frank, { unlimited_quota: false, remain_quota: 0 });
    const e = assertRelayError(await ask(t.key), 401, 'exhausted token');
    assert.match(e.message, /该令牌额度已用尽/);
    assert.equal(status(t.id), 4);
  });

  it('a key limited to other subnets: 403; to ours: 200', async () => {
    const t = await R.token(frank, { unlimited_quota: true });
    R.sql(`UPDATE tokens SET subnet = '10.0.0.0/8' WHERE id = ${t.id}`);
    const e = assertRelayError(await ask(t.key), 403, 'subnet');
    assert.match(e.message, /10\.0\.0\.0\/8/);
    R.sql(`UPDATE tokens SET subnet = '10.0.0.0/8,127.0.0.0/8' WHERE id = ${t.id}`);
    assert.equal((await ask(t.key)).status, 200);
  });

  it('a disabled owner: 403 "用户已被封禁"', async () => {
    const gina = await R.user('gina', { quota: 100000000 });
    const t = await R.token(gina, { unlimited_quota: true });
    R.sql(`UPDATE users SET status = 2 WHERE id = ${gina.id}`);
    const e = assertRelayError(await ask(t.key), 403, 'disabled user');
    assert.match(e.message, /用户已被封禁/);
  });

  it('nothing is charged for refused keys and the upstream is not called', async () => {
    R.up.reset();
    const t = await R.token(frank, { unlimited_quota: true });
    R.sql(`UPDATE tokens SET status = 2 WHERE id = ${t.id}`);
    await ask(t.key);
    assert.equal(R.up.requests.length, 0);
    assert.equal(R.totals(t.id).logRows, 0);
  });
});
