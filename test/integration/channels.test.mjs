// test/integration/channels.test.mjs: the channel management API as One API scripts use it, with the abilities checked in the DB
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startGateway, api, login } from './harness.mjs';

const ROOT_AT = 'itest0channels0root0access0tok0';	// 32 chars, like One API's access tokens
const BOB_AT = 'itest0channels0bob00access0tok0';

/** One SQL statement through the sqlite3 CLI; rows as arrays of strings. */
function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const count = (dbPath, q) => Number(sql(dbPath, q)[0][0]);

describe('channels API', () => {
  let gw;
  let cookie;
  const admin = (method, path, body) => api(gw.base, method, path, { cookie, body });
  const root = (method, path, body) => api(gw.base, method, path, { accessToken: ROOT_AT, body });
  const bob = (method, path, body) => api(gw.base, method, path, { accessToken: BOB_AT, body });

  before(async () => {
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
    cookie = await login(gw.base);
    // a common user, written the way One API stores one
    sql(gw.dbPath, "INSERT INTO users (username, password, display_name, role, status, access_token, quota, `group`) "
      + `VALUES ('bob', 'x', 'Bob', 1, 1, '${BOB_AT}', 0, 'default')`);
  });
  after(async () => { await gw?.stop(); });

  let ids = [];

  it('POST /api/channel/ makes one channel per key line, with abilities', async () => {
    const r = await admin('POST', '/api/channel/', {
      name: 'openai-main', type: 1, key: 'sk-upstream-aaa\nsk-upstream-bbb\n', base_url: '', other: '',
      models: 'gpt-4o-mini,gpt-4o', group: 'default,vip', model_mapping: '', system_prompt: '',
      config: '{}', priority: 3,
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { success: true, message: '' });
    ids = sql(gw.dbPath, 'SELECT id FROM channels ORDER BY id').map((x) => Number(x[0]));
    assert.equal(ids.length, 2);
    assert.deepEqual(sql(gw.dbPath, 'SELECT `key` FROM channels ORDER BY id').map((x) => x[0]),
      ['sk-upstream-aaa', 'sk-upstream-bbb']);
    // 2 models x 2 groups for each channel, enabled, priority copied
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM abilities'), 8);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM abilities WHERE enabled = 1 AND priority = 3'), 8);
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM abilities WHERE `group` = 'vip' AND model = 'gpt-4o'"), 2);
  });

  it('lists, gets and searches channels without ever showing the key', async () => {
    const r = await root('GET', '/api/channel/?p=0');
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.length, 2);
    assert.deepEqual(r.json.data.map((c) => c.id), [...ids].reverse());	// id desc, as One API
    for (const c of r.json.data) {
      assert.equal(c.key, '');
      assert.equal(c.name, 'openai-main');
      assert.equal(c.type, 1);
      assert.equal(c.status, 1);
      assert.equal(c.group, 'default,vip');
      assert.equal(c.priority, 3);
      for (const f of ['weight', 'created_time', 'test_time', 'response_time', 'base_url', 'other',
        'balance', 'balance_updated_time', 'models', 'used_quota', 'model_mapping', 'config', 'system_prompt']) {
        assert.ok(f in c, `field ${f} missing`);
      }
    }
    assert.ok(!r.text.includes('sk-upstream'), 'a channel key leaked');
    const g = await admin('GET', `/api/channel/${ids[0]}`);
    assert.equal(g.json.success, true, g.text);
    assert.equal(g.json.data.id, ids[0]);
    assert.equal(g.json.data.key, '');
    assert.ok(!g.text.includes('sk-upstream'));
    const s = await admin('GET', '/api/channel/search?keyword=openai');
    assert.equal(s.json.data.length, 2);
    assert.ok(!s.text.includes('sk-upstream'));
    const byId = await admin('GET', `/api/channel/search?keyword=${ids[1]}`);
    assert.deepEqual(byId.json.data.map((c) => c.id), [ids[1]]);
    const none = await admin('GET', '/api/channel/search?keyword=zzz');
    assert.deepEqual(none.json.data, []);
    const page2 = await admin('GET', '/api/channel/?p=1');
    assert.deepEqual(page2.json.data, []);
    const small = await admin('GET', '/api/channel/?p=1&size=1');
    assert.deepEqual(small.json.data.map((c) => c.id), [ids[0]]);
    const missing = await admin('GET', '/api/channel/99999');
    assert.equal(missing.json.success, false);
  });

  it('PUT /api/channel/ updates models and rebuilds the abilities; the key stays', async () => {
    const r = await admin('PUT', '/api/channel/', {
      id: ids[0], name: 'openai-main', type: 1, key: '', models: 'gpt-4o-mini, o3-mini',
      group: 'default', priority: 0,
    });
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.models, 'gpt-4o-mini, o3-mini');
    assert.equal(r.json.data.key, '');
    assert.deepEqual(sql(gw.dbPath, `SELECT \`group\`, model, enabled, priority FROM abilities WHERE channel_id = ${ids[0]} ORDER BY model`),
      [['default', 'gpt-4o-mini', '1', '0'], ['default', 'o3-mini', '1', '0']]);
    assert.equal(sql(gw.dbPath, `SELECT \`key\` FROM channels WHERE id = ${ids[0]}`)[0][0], 'sk-upstream-aaa');
    // the other channel is untouched
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${ids[1]}`), 4);
    const models = await bob('GET', '/api/user/available_models');
    assert.equal(models.json.success, true, models.text);
    assert.deepEqual(models.json.data, ['gpt-4o', 'gpt-4o-mini', 'o3-mini']);
  });

  it('PUT with only {id, status} disables the channel and its abilities (the UI switch)', async () => {
    const r = await admin('PUT', '/api/channel/', { id: ids[0], status: 2 });
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data.status, 2);
    assert.equal(r.json.data.models, 'gpt-4o-mini, o3-mini');
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${ids[0]} AND enabled = 1`), 0);
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${ids[0]}`), 2);
    const models = await bob('GET', '/api/user/available_models');
    assert.deepEqual(models.json.data, ['gpt-4o', 'gpt-4o-mini']);
    const nf = await admin('PUT', '/api/channel/', { id: 99999, status: 1 });
    assert.equal(nf.json.success, false);
  });

  it('GET /api/channel/models answers without the envelope', async () => {
    const r = await admin('GET', '/api/channel/models');
    assert.equal(r.status, 200);
    assert.equal(r.json.object, 'list');
    assert.ok(!('success' in r.json));
    assert.ok(r.json.data.length > 10);
    const m = r.json.data.find((x) => x.id === 'gpt-4o');
    assert.equal(m.object, 'model');
    assert.equal(m.created, 1626777600);
    assert.equal(m.owned_by, 'openai');
    assert.equal(m.root, 'gpt-4o');
    assert.equal(m.parent, null);
    assert.ok(Array.isArray(m.permission));
  });

  it('refuses wrong types and malformed JSON, writing nothing', async () => {
    const before = [count(gw.dbPath, 'SELECT COUNT(*) FROM channels'), count(gw.dbPath, 'SELECT COUNT(*) FROM abilities')];
    const cases = [
      { name: 'x', type: '1', key: 'sk-z', models: 'gpt-4' },
      { name: 'x', type: 1, key: 'sk-z', models: ['gpt-4'] },
      { name: 'x', type: 1, key: 12345, models: 'gpt-4' },
      { name: 'x', type: 1.5, key: 'sk-z', models: 'gpt-4' },
      { name: 'x', type: 1, key: 'sk-z', models: 'gpt-4', priority: 'high' },
      { name: 'x', type: 1, key: 'sk-z', models: 'gpt-4', weight: -1 },
      { name: 'x', type: 1, key: 'sk-z', models: 'gpt-4', model_mapping: '{not json' },
      { name: 'x', type: 1, key: '\n\n', models: 'gpt-4' },
    ];
    for (const body of cases) {
      const r = await admin('POST', '/api/channel/', body);
      assert.equal(r.json?.success, false, `${JSON.stringify(body)} -> ${r.text}`);
      assert.ok(r.json.message.length > 0);
    }
    const bad = await admin('POST', '/api/channel/', '{"name": "x", "type": 1, "key": "sk-z"');
    assert.equal(bad.json.success, false);
    assert.match(bad.json.message, /JSON/);
    const notObj = await admin('POST', '/api/channel/', '[1,2]');
    assert.equal(notObj.json.success, false);
    const upd = await admin('PUT', '/api/channel/', { id: ids[1], models: 7 });
    assert.equal(upd.json.success, false);
    assert.deepEqual([count(gw.dbPath, 'SELECT COUNT(*) FROM channels'), count(gw.dbPath, 'SELECT COUNT(*) FROM abilities')], before);
    assert.equal(sql(gw.dbPath, `SELECT models FROM channels WHERE id = ${ids[1]}`)[0][0], 'gpt-4o-mini,gpt-4o');
  });

  it('stores SQL-looking strings literally', async () => {
    const name = "x'); DROP TABLE channels; --";
    const r = await admin('POST', '/api/channel/', { name, type: 8, key: "k'--", models: "m' OR '1'='1", group: 'default' });
    assert.equal(r.json.success, true, r.text);
    const s = await admin('GET', `/api/channel/search?keyword=${encodeURIComponent("x'")}`);
    assert.equal(s.json.data.length, 1);
    assert.equal(s.json.data[0].name, name);
    assert.equal(s.json.data[0].models, "m' OR '1'='1");
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM abilities WHERE model = 'm'' OR ''1''=''1'"), 1);
    const d = await admin('DELETE', `/api/channel/${s.json.data[0].id}`);
    assert.equal(d.json.success, true);
  });

  it('a common user cannot manage channels', async () => {
    for (const [m, p] of [['GET', '/api/channel/'], ['GET', `/api/channel/${ids[0]}`], ['GET', '/api/channel/search?keyword=o'],
      ['DELETE', `/api/channel/${ids[1]}`], ['DELETE', '/api/channel/disabled']]) {
      const r = await bob(m, p);
      assert.equal(r.json?.success, false, `${m} ${p}: ${r.text}`);
      assert.ok(!r.text.includes('sk-upstream'));
    }
    const r = await bob('POST', '/api/channel/', { name: 'evil', type: 1, key: 'k', models: 'gpt-4' });
    assert.equal(r.json.success, false);
    assert.equal(count(gw.dbPath, "SELECT COUNT(*) FROM channels WHERE name = 'evil'"), 0);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM channels'), 2);
  });

  it('DELETE /api/channel/disabled and /:id remove channels with their abilities', async () => {
    const r = await admin('DELETE', '/api/channel/disabled');
    assert.equal(r.json.success, true, r.text);
    assert.equal(r.json.data, 1);
    assert.equal(count(gw.dbPath, `SELECT COUNT(*) FROM abilities WHERE channel_id = ${ids[0]}`), 0);
    const d = await root('DELETE', `/api/channel/${ids[1]}`);
    assert.equal(d.json.success, true, d.text);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM channels'), 0);
    assert.equal(count(gw.dbPath, 'SELECT COUNT(*) FROM abilities'), 0);
    const bad = await root('DELETE', '/api/channel/abc');
    assert.equal(bad.json.success, false);
  });
});
