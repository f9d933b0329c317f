// test/integration/options.test.mjs: /api/option/, /api/group/ and the public option pages as One API serves them
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startGateway, api, login } from './harness.mjs';

const ROOT_AT = 'itest0options0root00access00tok';
const BOB_AT = 'itest0options0bob000access00tok';

function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const optionRows = (dbPath) => sql(dbPath, 'SELECT `key`, value FROM options ORDER BY `key`').map((r) => r.join('='));

describe('options API', () => {
  let gw;
  let cookie;
  const root = (method, path, body) => api(gw.base, method, path, { cookie, body });
  const rootAt = (method, path, body) => api(gw.base, method, path, { accessToken: ROOT_AT, body });
  const bob = (method, path, body) => api(gw.base, method, path, { accessToken: BOB_AT, body });
  const optionValue = async (key) => {
    const r = await root('GET', '/api/option/');
    return r.json.data.find((o) => o.key === key)?.value;
  };

  before(async () => {
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT } });
    cookie = await login(gw.base);
    // an admin (role 10), not root: options are root-only
    sql(gw.dbPath, "INSERT INTO users (username, password, display_name, role, status, access_token, quota, `group`) "
      + `VALUES ('bob', 'x', 'Bob', 10, 1, '${BOB_AT}', 0, 'default')`);
  });
  after(async () => { await gw?.stop(); });

  it('GET /api/option/ lists One API\'s options, hiding *Token and *Secret', async () => {
    const r = await rootAt('GET', '/api/option/');
    assert.equal(r.json.success, true, r.text);
    const keys = r.json.data.map((o) => o.key);
    for (const k of ['PasswordLoginEnabled', 'RegisterEnabled', 'SystemName', 'QuotaPerUnit', 'GroupRatio',
      'ModelRatio', 'CompletionRatio', 'Notice', 'About', 'HomePageContent', 'Theme', 'RetryTimes',
      'EmailDomainWhitelist', 'SMTPPort', 'GitHubClientId']) {
      assert.ok(keys.includes(k), `${k} missing`);
    }
    for (const k of keys) assert.ok(!/(Token|Secret)$/.test(k), `${k} should be hidden`);
    for (const o of r.json.data) assert.equal(typeof o.value, 'string');
    const val = Object.fromEntries(r.json.data.map((o) => [o.key, o.value]));
    assert.equal(val.SystemName, 'One API');
    assert.equal(val.PasswordLoginEnabled, 'true');
    assert.equal(val.QuotaPerUnit, '500000');
    assert.equal(val.SMTPPort, '587');
    assert.deepEqual(JSON.parse(val.GroupRatio), { default: 1, vip: 1, svip: 1 });
  });

  it('PUT /api/option/ stores the value; GET and /api/status reflect it', async () => {
    let r = await root('PUT', '/api/option/', { key: 'SystemName', value: 'My Gateway' });
    assert.deepEqual(r.json, { success: true, message: '' });
    assert.equal(await optionValue('SystemName'), 'My Gateway');
    const st = await api(gw.base, 'GET', '/api/status');
    assert.equal(st.json.data.system_name, 'My Gateway');
    r = await root('PUT', '/api/option/', { key: 'SystemName', value: 'Gateway 2' });	// upsert
    assert.equal(r.json.success, true);
    assert.deepEqual(sql(gw.dbPath, "SELECT value FROM options WHERE `key` = 'SystemName'"), [['Gateway 2']]);
    // booleans and numbers may come as JSON values
    r = await root('PUT', '/api/option/', { key: 'RegisterEnabled', value: false });
    assert.equal(r.json.success, true, r.text);
    assert.equal(await optionValue('RegisterEnabled'), 'false');
    r = await root('PUT', '/api/option/', { key: 'QuotaForNewUser', value: 1000 });
    assert.equal(r.json.success, true, r.text);
    assert.equal(await optionValue('QuotaForNewUser'), '1000');
    r = await root('PUT', '/api/option/', { key: 'QuotaPerUnit', value: '250000.5' });
    assert.equal(r.json.success, true, r.text);
    const st2 = await api(gw.base, 'GET', '/api/status');
    assert.equal(st2.json.data.quota_per_unit, 250000.5);
  });

  it('secrets can be set but are never listed', async () => {
    const r = await root('PUT', '/api/option/', { key: 'SMTPToken', value: 'smtp-pass-123' });
    assert.equal(r.json.success, true, r.text);
    const l = await root('GET', '/api/option/');
    assert.ok(!l.text.includes('smtp-pass-123'));
    assert.deepEqual(sql(gw.dbPath, "SELECT value FROM options WHERE `key` = 'SMTPToken'"), [['smtp-pass-123']]);
  });

  it('GroupRatio must be a JSON object of numbers; /api/group/ lists its names', async () => {
    const before = optionRows(gw.dbPath);
    for (const value of ['{not json', '[1,2]', '{"vip":"x"}', '']) {
      const r = await root('PUT', '/api/option/', { key: 'GroupRatio', value });
      assert.equal(r.json.success, false, `${value} -> ${r.text}`);
    }
    for (const [key, value] of [['RegisterEnabled', 'yes'], ['SMTPPort', '25x'], ['Theme', 'neon'],
      ['GitHubOAuthEnabled', 'true'], ['ModelRatio', '{"gpt-4": null}']]) {
      const r = await root('PUT', '/api/option/', { key, value });
      assert.equal(r.json.success, false, `${key}=${value} -> ${r.text}`);
    }
    const theme = await root('PUT', '/api/option/', { key: 'Theme', value: 'neon' });
    assert.equal(theme.json.message, '无效的主题');
    assert.deepEqual(optionRows(gw.dbPath), before);
    const ok = await root('PUT', '/api/option/', { key: 'GroupRatio', value: '{"default":1,"pro":0.8}' });
    assert.equal(ok.json.success, true, ok.text);
    const g = await root('GET', '/api/group/');
    assert.equal(g.json.success, true);
    assert.deepEqual([...g.json.data].sort(), ['default', 'pro']);
  });

  it('malformed bodies get HTTP 400 and nothing is written', async () => {
    const before = optionRows(gw.dbPath);
    for (const body of ['{"key": "Notice", "value": ', '"just a string"', '{"key": 5, "value": "x"}',
      '{"key": "Notice", "value": {"a": 1}}', '{"value": "x"}']) {
      const r = await root('PUT', '/api/option/', body);
      assert.equal(r.status, 400, `${body} -> ${r.text}`);
      assert.equal(r.json.success, false);
    }
    assert.deepEqual(optionRows(gw.dbPath), before);
  });

  it('stores SQL-looking values literally; public pages show them', async () => {
    const notice = "<b>hi</b> '); DROP TABLE options; --";
    let r = await root('PUT', '/api/option/', { key: 'Notice', value: notice });
    assert.equal(r.json.success, true);
    r = await root('PUT', '/api/option/', { key: 'About', value: 'about text' });
    r = await root('PUT', '/api/option/', { key: 'HomePageContent', value: 'https://example.com/home' });
    const n = await api(gw.base, 'GET', '/api/notice');
    assert.deepEqual(n.json, { success: true, message: '', data: notice });
    const a = await api(gw.base, 'GET', '/api/about');
    assert.equal(a.json.data, 'about text');
    const h = await api(gw.base, 'GET', '/api/home_page_content');
    assert.equal(h.json.data, 'https://example.com/home');
  });

  it('only root reads or writes options', async () => {
    const before = optionRows(gw.dbPath);
    const l = await bob('GET', '/api/option/');
    assert.equal(l.json?.success, false, l.text);
    assert.ok(!l.text.includes('GroupRatio'));
    const p = await bob('PUT', '/api/option/', { key: 'SystemName', value: 'pwned' });
    assert.equal(p.json?.success, false);
    const anon = await api(gw.base, 'PUT', '/api/option/', { body: { key: 'SystemName', value: 'pwned' } });
    assert.equal(anon.json?.success, false);
    assert.deepEqual(optionRows(gw.dbPath), before);
    // groups are for admins
    const g = await bob('GET', '/api/group/');
    assert.equal(g.json.success, true, g.text);
  });
});
