// test/integration/ui-browser.test.mjs: the admin UI in a real headless
// Chromium (Debian's chromium, driven by playwright-core), as an operator and
// a tenant use it: channels with a model mapping, edited; keys with models
// and subnets; a relay request that shows up in the logs and the chart;
// settings that take effect; pagination both ways; the 403/404 pages; both
// languages; the 390 px layout; axe-core on every page in both themes.
// Screenshots of each page go to $ONEAPI_SCREENSHOTS (default: a temp dir,
// printed once).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setupRelay, USER_MSG } from './relay-lib.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const require = createRequire(import.meta.url);
let chromium = null;
let parseHtml = null;
try { ({ parse: parseHtml } = await import('parse5')); } catch { /* the well-formedness check is skipped */ }
try { ({ chromium } = await import('playwright-core')); } catch { /* skipped below */ }
const haveBrowser = chromium !== null && fs.existsSync(CHROMIUM);
const AXE = haveBrowser ? fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') : '';
const SHOTS = process.env.ONEAPI_SCREENSHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'oneapi-ui-shots-'));

describe('admin UI in headless Chromium', { skip: haveBrowser ? false : `no ${CHROMIUM} or playwright-core` }, () => {
  let ctx;		// setupRelay: fake upstream + gateway
  let browser;
  let root;		// the root user's page
  const base = () => ctx.base;

  /** Save a screenshot of page as <name>.png. */
  const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  /** The serious and critical axe-core violations of the page, as "id: target" lines. */
  async function axeProblems(page, only = null) {
    await page.addScriptTag({ content: AXE });
    const res = await page.evaluate(async (rules) => window.axe.run(document, rules
      ? { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] }
      : { resultTypes: ['violations'] }), only);
    return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }

  /** The HTML parse errors (WHATWG parsing, parse5) of a page's source, as "code at line:col" lines. */
  function parseErrors(html) {
    const errs = [];
    if (parseHtml) parseHtml(html, { onParseError: (e) => errs.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
    return errs;
  }

  /** Sign in on the form of the page we were sent to. */
  async function signIn(page, username, password) {
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button')]);
  }

  before(async () => {
    ctx = await setupRelay();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    root = await c.newPage();
    console.log(`# screenshots in ${SHOTS}`);
  });
  after(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('after signing in you land on the page you asked for', async () => {
    await root.goto(`${base()}/channels?order=priority`);
    assert.match(root.url(), /\/login\?next=/);
    await signIn(root, 'root', '123456');
    assert.equal(new URL(root.url()).pathname + new URL(root.url()).search, '/channels?order=priority');
    assert.equal(await root.locator('h1').first().innerText(), 'Channels 0');
  });

  it('root adds a channel with a model mapping; a bad mapping keeps the pasted keys', async () => {
    await root.goto(`${base()}/channels`);
    await root.fill('input[name=name]', 'ui-chan');
    await root.fill('textarea[name=key]', 'sk-pasted-1\nsk-pasted-2');
    await root.fill('input[name=base_url]', `${ctx.up.base}/ui`);
    await root.fill('input[name=models]', 'gpt-4o-mini,alias-model');
    await root.fill('textarea[name=model_mapping]', '{"alias-model": 5}');
    await root.click('form[action="/channels"] button.primary');
    assert.match(await root.locator('.flash.err').innerText(), /Model mapping must be a JSON object/);
    assert.equal(await root.inputValue('textarea[name=key]'), 'sk-pasted-1\nsk-pasted-2', 'the pasted keys are still there');
    assert.equal(await root.inputValue('input[name=name]'), 'ui-chan');
    await root.fill('textarea[name=key]', 'sk-pasted-1');
    await root.fill('textarea[name=model_mapping]', '{"alias-model": "gpt-4o-mini"}');
    await root.click('form[action="/channels"] button.primary');
    assert.equal(await root.locator('.flash.ok').innerText(), 'Channel created.');
    assert.equal(await root.locator('table.grid tbody tr').count(), 1);
    assert.doesNotMatch(await root.content(), /sk-pasted/, 'a channel key on the page');
    await shot(root, 'channels');
  });

  it('root edits the channel and sees the new values', async () => {
    await root.click('table.grid a:has-text("ui-chan")');
    assert.match(root.url(), /\/channels\/\d+\/edit$/);
    assert.equal(await root.inputValue('textarea[name=model_mapping]'), '{"alias-model": "gpt-4o-mini"}');
    assert.equal(await root.inputValue('textarea[name=key]'), '', 'the key is never shown');
    await root.fill('input[name=name]', 'ui-chan-edited');
    await root.fill('input[name=priority]', '7');
    await root.fill('input[name=other]', '2024-03-01-preview');
    await shot(root, 'channel-edit');
    await root.click('form button.primary');
    assert.equal(await root.locator('.flash.ok').innerText(), 'Channel saved.');
    const row = root.locator('table.grid tbody tr').first();
    assert.match(await row.innerText(), /ui-chan-edited/);
    assert.equal(await row.locator('td[data-label="Priority"]').innerText(), '7');
    const [[key, other]] = ctx.sql("SELECT `key`, other FROM channels WHERE name = 'ui-chan-edited'");
    assert.equal(key, 'sk-pasted-1', 'an empty key field keeps the key');
    assert.equal(other, '2024-03-01-preview');
    // the Test button sends a chat through it to the fake upstream and records the time
    await row.locator('form[action$="/test"] button').click();
    assert.equal(await root.locator('.flash.ok').innerText(), 'The channel answered the test.');
    assert.match(await root.locator('table.grid tbody tr td[data-label="Response time"]').first().innerText(), /\d+ ms/);
    const [[tt]] = ctx.sql("SELECT test_time FROM channels WHERE name = 'ui-chan-edited'");
    assert.ok(Number(tt) > 0);
    const tr = await root.request.get(`${base()}/api/channel/test/${ctx.num("SELECT id FROM channels WHERE name = 'ui-chan-edited'")}`);
    assert.equal((await tr.json()).success, true);
    // search finds it by a model name; sorting keeps the search
    await root.goto(`${base()}/channels?keyword=alias`);
    assert.equal(await root.locator('table.grid tbody tr').count(), 1);
    await root.goto(`${base()}/channels?keyword=nothing-like-this`);
    assert.equal(await root.locator('table.grid tbody tr').count(), 0);
    // filters: disabled channels only, then enabled OpenAI ones
    await root.goto(`${base()}/channels`);
    await root.selectOption('select[name=status]', '2');
    await root.click('form[action="/channels"][method=get] button');
    assert.equal(await root.locator('table.grid tbody tr').count(), 0);
    await root.selectOption('select[name=status]', '1');
    await root.selectOption('select[name=type]', '1');
    await root.click('form[action="/channels"][method=get] button');
    assert.equal(await root.locator('table.grid tbody tr').count(), 1);
  });

  let key;
  it('a key with just a name gets One API\'s $1; a past expiry is refused', async () => {
    await root.goto(`${base()}/tokens`);
    assert.equal(await root.inputValue('input[name=remain_quota]'), '500000');
    await root.fill('input[name=name]', 'plain');
    await root.fill('input[name=remain_quota]', '');
    await root.click('form[action="/tokens"] button.primary');
    assert.equal(await root.locator('.flash.ok').innerText(), 'Token created.');
    assert.equal(await root.locator('tr:has-text("plain") td[data-label="Remaining quota"]').innerText(), '$1.00');
    await root.fill('input[name=name]', 'old');
    await root.fill('input[name=expired_time]', '2001-01-01T00:00');
    await root.click('form[action="/tokens"] button.primary');
    assert.match(await root.locator('.flash.err').innerText(), /in the past/);
    assert.equal(ctx.num("SELECT COUNT(*) FROM tokens WHERE name = 'old'"), 0);
  });

  it('root creates a key with models and subnets, reveals it whole and uses it', async () => {
    await root.goto(`${base()}/tokens`);
    await root.fill('input[name=name]', 'ui-key');
    await root.check('input[name=unlimited]');
    await root.fill('input[name=models]', 'alias-model');
    await root.fill('input[name=subnet]', '10.9.9.0/24');
    await root.click('form[action="/tokens"] button.primary');
    const row = root.locator('tr:has-text("ui-key")');
    await row.locator('summary').first().click();
    const full = await row.locator('code.fullkey').innerText();
    assert.match(full, /^sk-[0-9A-Za-z]{48}$/);
    const box = await row.locator('code.fullkey').boundingBox();
    const sw = await row.locator('code.fullkey').evaluate((e) => [e.scrollWidth, e.clientWidth]);
    assert.ok(box.width > 0 && sw[0] <= sw[1], 'the revealed key is cut off');
    await shot(root, 'tokens');
    key = full.slice(3);
    // the subnet keeps it out: 127.0.0.1 is not in 10.9.9.0/24
    let r = await ctx.chat(key, { model: 'alias-model', messages: USER_MSG });
    assert.equal(r.status, 403, r.text);
    // edit: any address
    await row.locator('a:has-text("Edit")').click();
    assert.equal(await root.inputValue('input[name=subnet]'), '10.9.9.0/24');
    assert.equal(await root.inputValue('input[name=models]'), 'alias-model');
    await root.fill('input[name=subnet]', '');
    await root.click('form button.primary');
    assert.equal(await root.locator('.flash.ok').innerText(), 'Token saved.');
    r = await ctx.chat(key, { model: 'alias-model', messages: USER_MSG });
    assert.equal(r.status, 200, r.text);
    // a model the key may not use
    r = await ctx.chat(key, { model: 'gpt-4o-mini', messages: USER_MSG });
    assert.notEqual(r.status, 200);
  });

  it('the balance of an OpenAI-style channel is read from its billing routes', async () => {
    // a channel whose upstream is this gateway, with the $1 key: its balance is $1.00
    const [[plainKey]] = ctx.sql("SELECT `key` FROM tokens WHERE name = 'plain'");
    await root.goto(`${base()}/channels`);
    await root.fill('input[name=name]', 'self-billing');
    await root.fill('textarea[name=key]', `sk-${plainKey}`);
    await root.fill('input[name=base_url]', base());
    await root.fill('input[name=models]', 'balance-only');
    await root.click('form[action="/channels"] button.primary');
    const row = root.locator('tr:has-text("self-billing")');
    await row.locator('form[action$="/balance"] button').click();
    assert.equal(await root.locator('.flash.ok').innerText(), 'Balance updated.');
    assert.match(await root.locator('tr:has-text("self-billing") td[data-label="Balance"]').innerText(), /^\$1\.00/);
    const id = ctx.num("SELECT id FROM channels WHERE name = 'self-billing'");
    const j = await (await root.request.get(`${base()}/api/channel/update_balance/${id}`)).json();
    assert.equal(j.success, true, JSON.stringify(j));
    assert.equal(j.balance, 1);
  });

  it('the request shows up in the logs, with its total, and in the dashboard chart', async () => {
    await root.goto(`${base()}/logs?type=2`);
    const rows = root.locator('table.grid tbody tr');
    assert.equal(await rows.count(), 1);
    // the mapped model is what the upstream was asked for and what is billed
    assert.match(await rows.first().innerText(), /gpt-4o-mini/);
    assert.match(await rows.first().locator('td[data-label="Quota"]').innerText(), /^\$0\.0000\d\d$|^\$0\.000\d\d\d$/);
    assert.match(await rows.first().locator('td[data-label="Detail"]').innerText(), /Request id/);
    assert.match(await root.locator('.totals').innerText(), /Total: 1 rows/);
    await root.goto(`${base()}/logs?model_name=no-such-model`);
    assert.equal(await root.locator('table.grid tbody tr').count(), 0);
    await root.goto(`${base()}/`);
    const bars = await root.locator('svg.chart rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    assert.equal(bars.length, 7);
    assert.ok(bars[6] > 0, `today's bar is empty: ${bars}`);
    assert.match(await root.locator('table.grid').first().innerText(), /gpt-4o-mini/);
    assert.match(await root.locator('section:has(h2:has-text("Recent requests")) tbody').innerText(), /ui-key/);
    await shot(root, 'dashboard');
  });

  it('pagination goes forward and back, keeping the filter', async () => {
    for (let i = 0; i < 22; i++) ctx.sql(`INSERT INTO logs (user_id, created_at, type, content, username) VALUES (1, ${1700000000 + i}, 4, 'row ${i}', 'root')`);
    await root.goto(`${base()}/logs?type=4`);
    assert.equal(await root.locator('table.grid tbody tr').count(), 20);
    assert.equal(await root.locator('nav.pager a[rel=prev]').count(), 0);
    await root.click('nav.pager a[rel=next]');
    assert.match(root.url(), /type=4/);
    assert.match(root.url(), /p=1/);
    assert.ok(await root.locator('table.grid tbody tr').count() >= 2);
    assert.match(await root.locator('table.grid').innerText(), /row 0/);
    await root.click('nav.pager a[rel=prev]');
    assert.match(root.url(), /p=0/);
    assert.match(await root.locator('table.grid').innerText(), /row 21/);
  });

  it('a setting changed on the settings page takes effect (DisplayInCurrencyEnabled)', async () => {
    await root.goto(`${base()}/settings`);
    const general = root.locator('form:has(input[name=section][value=general])');
    await general.locator('input[name=DisplayInCurrencyEnabled]').uncheck();
    await general.locator('input[name=SystemName]').fill('My <Gateway>');
    await general.locator('button.primary').click();
    assert.equal(await root.locator('.flash.ok').innerText(), 'Settings saved.');
    await root.goto(`${base()}/tokens`);
    assert.equal(await root.locator('a.brand').innerText(), 'My <Gateway>');
    assert.equal(await root.locator('tr:has-text("plain") td[data-label="Remaining quota"]').innerText(), '500,000');
    // a ratio that is not JSON is refused, nothing written
    await root.goto(`${base()}/settings`);
    const ratio = root.locator('form:has(input[name=section][value=ratio])');
    await ratio.locator('textarea[name=GroupRatio]').fill('{not json');
    await ratio.locator('button.primary').click();
    assert.ok(await root.locator('.flash.err').count() === 1);
    assert.doesNotMatch(ctx.sql("SELECT value FROM options WHERE `key` = 'GroupRatio'")[0]?.[0] ?? '', /not json/);
    await shot(root, 'settings');
    await root.goto(`${base()}/settings`);
    await root.locator('form:has(input[name=section][value=general]) input[name=DisplayInCurrencyEnabled]').check();
    await root.locator('form:has(input[name=section][value=general]) button.primary').click();
  });

  let alice;
  it('a common user gets the 403 page with the menu, and cannot post admin forms', async () => {
    await ctx.user('alice');
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    alice = await c.newPage();
    await alice.goto(`${base()}/login`);
    await signIn(alice, 'alice', 'alice-pass-1234');
    for (const p of ['/channels', '/users', '/settings', '/users/1/edit']) {
      const res = await alice.goto(`${base()}${p}`);
      assert.equal(res.status(), 403, p);
      assert.equal(await alice.locator('h1').innerText(), '403 Forbidden');
      assert.equal(await alice.locator('form.logout button').count(), 1, 'logout on the 403 page');
      assert.equal(await alice.locator('nav.menu a[href="/tokens"]').count(), 1, 'menu on the 403 page');
    }
    await shot(alice, '403');
    const csrf = await alice.locator('form.logout input[name=csrf]').inputValue();
    const r = await alice.request.post(`${base()}/channels`, { form: { csrf, name: 'x', type: '1', key: 'k', models: 'm' }, maxRedirects: 0 });
    assert.equal(r.status(), 403);
    assert.equal(ctx.num("SELECT COUNT(*) FROM channels WHERE name = 'x'"), 0);
    // her logs are her own
    await alice.goto(`${base()}/logs`);
    assert.doesNotMatch(await alice.content(), /alias-model|row 1/);
  });

  it('root makes redemption codes and exports them; alice redeems one on the top-up page', async () => {
    await root.goto(`${base()}/redemptions`);
    await root.fill('input[name=name]', 'gift');
    await root.fill('input[name=quota]', '250000');
    await root.fill('input[name=count]', '2');
    await root.click('form[action="/redemptions"] button.primary');
    const codes = (await root.locator('#new-codes').innerText()).trim().split('\n');
    assert.equal(codes.length, 2);
    for (const c of codes) assert.match(c, /^[0-9a-f]{32}$/);
    assert.equal(await root.locator('table.grid tbody tr').count(), 2);
    await shot(root, 'redemptions');
    const csv = await root.request.get(`${base()}/redemptions.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const text = await csv.text();
    assert.match(text, /^id,name,key,status,quota,created_time,redeemed_time\r\n/);
    for (const c of codes) assert.ok(text.includes(`"${c}"`));
    // alice redeems the first: her quota grows by $0.50, a top-up log says so
    const before = ctx.num("SELECT quota FROM users WHERE username = 'alice'");
    await alice.goto(`${base()}/topup`);
    await alice.fill('input[name=key]', codes[0]);
    await alice.click('form[action="/topup"] button.primary');
    assert.match(await alice.locator('.flash.ok').innerText(), /redeemed/);
    assert.equal(ctx.num("SELECT quota FROM users WHERE username = 'alice'"), before + 250000);
    await shot(alice, 'topup');
    await alice.fill('input[name=key]', codes[0]);
    await alice.click('form[action="/topup"] button.primary');
    assert.match(await alice.locator('.flash.err').innerText(), /used/);
    assert.equal(ctx.num("SELECT quota FROM users WHERE username = 'alice'"), before + 250000);
    await alice.goto(`${base()}/logs?type=1`);
    assert.match(await alice.locator('table.grid tbody').innerText(), /通过兑换码充值/);
    // the JSON routes: the second code through POST /api/user/topup
    const csrfless = await alice.request.post(`${base()}/api/user/topup`, { data: { key: codes[1] } });
    const body = await csrfless.json();
    assert.equal(body.success, true, JSON.stringify(body));
    assert.equal(body.data, 250000);
    await root.goto(`${base()}/redemptions`);
    assert.equal(await root.locator('td[data-label="Status"]:has-text("used")').count(), 2);
  });

  it('unknown pages and /favicon.ico: the HTML 404 page and an icon; /api stays JSON', async () => {
    const res = await alice.goto(`${base()}/no/such/page`);
    assert.equal(res.status(), 404);
    assert.equal(await alice.locator('h1').innerText(), '404 Not Found');
    assert.equal(await alice.locator('form.logout button').count(), 1);
    const ico = await alice.request.get(`${base()}/favicon.ico`);
    assert.equal(ico.status(), 200);
    assert.match(ico.headers()['content-type'], /^image\/svg\+xml/);
    const api = await alice.request.get(`${base()}/api/no-such-thing`);
    assert.equal(api.status(), 404);
    assert.match(api.headers()['content-type'], /json/);
  });

  it('personal settings: a new password works, the old one no longer does', async () => {
    await alice.goto(`${base()}/profile`);
    await alice.fill('input[name=old_password]', 'alice-pass-1234');
    await alice.fill('input[name=password]', 'alice-new-5678');
    await alice.fill('input[name=password2]', 'alice-new-5678');
    await alice.click('form:has(input[value=password]) button.primary');
    assert.match(await alice.locator('.flash.ok').innerText(), /Password changed/);
    await shot(alice, 'profile');
    const c = await browser.newContext();
    const p = await c.newPage();
    await p.goto(`${base()}/login`);
    await p.fill('input[name=username]', 'alice');
    await p.fill('input[name=password]', 'alice-pass-1234');
    await p.click('form[action="/login"] button');
    assert.match(await p.locator('.flash.err').innerText(), /Wrong username or password/);
    await signIn(p, 'alice', 'alice-new-5678');
    assert.equal(new URL(p.url()).pathname, '/');
    await c.close();
  });

  it('password reset by email: the link from the SMTP sink sets a new password', async () => {
    const { SMTPServer } = await import('smtp-server');
    const mails = [];
    const smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onData(stream, session, cb) {
        let d = '';
        stream.on('data', (c) => { d += c; });
        stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((x) => x.address), data: d }); cb(); });
      },
    });
    await new Promise((res) => smtp.listen(0, '127.0.0.1', res));
    try {
      await ctx.option('SMTPServer', '127.0.0.1');
      await ctx.option('SMTPPort', String(smtp.server.address().port));
      await ctx.option('SMTPFrom', 'noreply@example.test');
      await ctx.option('ServerAddress', base());	// the links in mails start with it
      ctx.sql("UPDATE users SET email = 'alice@example.test' WHERE username = 'alice'");
      const c = await browser.newContext();
      const p = await c.newPage();
      await p.goto(`${base()}/login`);
      await p.click('a[href="/reset"]');
      await p.fill('input[name=email]', 'alice@example.test');
      await p.click('form[action="/reset"] button');
      assert.match(await p.locator('.flash.ok').innerText(), /link is on its way/);
      // an unknown address gets the same answer and no mail
      await p.fill('input[name=email]', 'nobody@example.test');
      await p.click('form[action="/reset"] button');
      assert.match(await p.locator('.flash.ok').innerText(), /link is on its way/);
      assert.equal(mails.length, 1);
      assert.deepEqual(mails[0].to, ['alice@example.test']);
      const link = /(http\S+\/reset\/confirm\?\S+)/.exec(mails[0].data)?.[1];
      assert.ok(link, mails[0].data);
      await p.goto(link);
      await p.fill('input[name=password]', 'alice-reset-42');
      await p.fill('input[name=password2]', 'alice-reset-42');
      await p.click('form[action="/reset/confirm"] button');
      assert.match(await p.locator('.flash.ok').innerText(), /Password changed/);
      await signIn(p, 'alice', 'alice-reset-42');
      assert.equal(new URL(p.url()).pathname, '/');
      // the link works once: the password it was made for is gone
      await p.goto(link);
      assert.match(await p.locator('.flash.err').innerText(), /invalid or has expired/);
      await c.close();
    } finally {
      await new Promise((res) => smtp.close(res));
    }
  });

  it('root edits a user\'s quota and group', async () => {
    const id = ctx.num("SELECT id FROM users WHERE username = 'alice'");
    await root.goto(`${base()}/users?order=request_count`);
    assert.equal(await root.locator('select[name=order]').inputValue(), 'request_count');
    await root.goto(`${base()}/users`);
    await root.click(`a[href="/users/${id}/edit"] >> nth=0`);
    await root.fill('input[name=quota]', '1000000');
    await root.fill('input[name=group]', 'vip');
    await root.click('form[action$="/edit"] button.primary');
    assert.equal(await root.locator('.flash.ok').innerText(), 'User saved.');
    const row = root.locator(`tr:has(a[href="/users/${id}/edit"])`);
    assert.equal(await row.locator('td[data-label="Group"]').innerText(), 'vip');
    assert.equal(await row.locator('td[data-label="Quota"]').innerText(), '$2.00');
    await shot(root, 'users');
  });

  it('a new user signs up, signs in and sees the models of the group with prices', async () => {
    const c = await browser.newContext();
    const p = await c.newPage();
    await p.goto(`${base()}/login`);
    await p.click('a[href="/register"]');
    await p.fill('input[name=username]', 'bob');
    await p.fill('input[name=password]', 'bob-pass-1234');
    await p.fill('input[name=password2]', 'bob-pass-9999');
    await p.click('form[action="/register"] button');
    assert.match(await p.locator('.flash.err').innerText(), /differ/);
    assert.equal(await p.inputValue('input[name=username]'), 'bob');
    await p.fill('input[name=password]', 'bob-pass-1234');
    await p.fill('input[name=password2]', 'bob-pass-1234');
    await p.click('form[action="/register"] button');
    assert.match(await p.locator('.flash.ok').innerText(), /Account created/);
    await signIn(p, 'bob', 'bob-pass-1234');
    await p.goto(`${base()}/models`);
    const row = p.locator('tr:has-text("gpt-4o-mini")');
    assert.equal(await row.count(), 1);
    assert.match(await row.locator('td[data-label^="Input"]').innerText(), /^\$\d/);
    await shot(p, 'models');
    await c.close();
  });

  it('Chinese by Accept-Language, and the switch remembers the choice', async () => {
    const c = await browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } });
    const p = await c.newPage();
    await p.goto(`${base()}/login`);
    assert.equal(await p.locator('h1').innerText(), '登录');
    assert.equal(await p.locator('html').getAttribute('lang'), 'zh');
    await signIn(p, 'root', '123456');
    assert.equal(await p.locator('nav.menu a[href="/channels"]').innerText(), '渠道');
    assert.equal(await p.locator('nav.menu a[href="/tokens"]').innerText(), '令牌');
    await p.goto(`${base()}/no-such-page`);
    assert.equal(await p.locator('h1').innerText(), '404 页面不存在');
    await p.goto(`${base()}/tokens`);
    await shot(p, 'tokens-zh');
    await p.click('.langs a');
    assert.equal(new URL(p.url()).pathname, '/tokens');
    assert.equal(await p.locator('nav.menu a[href="/tokens"]').innerText(), 'Tokens');
    await p.goto(`${base()}/logs`);
    assert.equal(await p.locator('h1').innerText(), 'Logs', 'the cookie beats Accept-Language');
    await c.close();
  });

  it('at 390 px the menu collapses and no action is off-screen', async () => {
    const c = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await root.context().storageState() });
    const p = await c.newPage();
    for (const pg of ['/channels', '/tokens', '/users', '/logs', '/']) {
      await p.goto(`${base()}${pg}`);
      const header = await p.locator('header.top').boundingBox();
      assert.ok(header.height < 70, `${pg}: header ${header.height}px tall`);
      const over = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(over <= 390, `${pg}: page is ${over}px wide`);
      const off = await p.locator('td.actions button, td.actions a').evaluateAll((els) => els
        .map((e) => e.getBoundingClientRect()).filter((r) => r.right > 390 || r.left < 0).length);
      assert.equal(off, 0, `${pg}: actions off-screen`);
      await shot(p, `mobile${pg.replace(/\//g, '-') || '-'}`);
    }
    await p.click('label.menu-button');
    assert.ok(await p.locator('nav.menu a[href="/logs"]').isVisible(), 'the menu opens');
    await c.close();
  });

  it('every page is well-formed HTML (parse5), and axe-core finds no serious or critical problem, light and dark', async () => {
    // axe is injected as an inline script, which our CSP forbids
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true,
      storageState: await root.context().storageState() });
    const p = await c.newPage();
    const chan = ctx.num('SELECT id FROM channels ORDER BY id LIMIT 1');
    const tok = ctx.num("SELECT id FROM tokens WHERE name = 'ui-key'");
    const pages = ['/', '/channels', `/channels/${chan}/edit`, '/tokens', `/tokens/${tok}/edit`, '/users',
      '/users/2/edit', '/logs', '/settings', '/profile', '/about', '/redemptions', '/topup', '/models', '/nope'];
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await p.emulateMedia({ colorScheme: scheme });
      for (const pg of pages) {
        await p.goto(`${base()}${pg}`);
        if (scheme === 'light') {
          const src = await (await p.request.get(`${base()}${pg}`)).text();
          for (const e of parseErrors(src)) problems.push(`html ${pg}: ${e}`);
        }
        // the dark theme changes colours only: check those there
        for (const x of await axeProblems(p, scheme === 'dark' ? ['color-contrast'] : null)) problems.push(`${scheme} ${pg}: ${x}`);
      }
    }
    const anon = await browser.newPage({ bypassCSP: true });
    for (const pg of ['/login', '/register', '/reset']) {
      await anon.goto(`${base()}${pg}`);
      for (const e of parseErrors(await (await anon.request.get(`${base()}${pg}`)).text())) problems.push(`html ${pg}: ${e}`);
      for (const x of await axeProblems(anon)) problems.push(`${pg}: ${x}`);
    }
    await anon.close();
    await c.close();
    assert.deepEqual(problems, []);
  });
});
