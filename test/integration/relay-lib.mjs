// test/integration/relay-lib.mjs: what the relay tests share. A fake
// upstream (test/fake/upstream.mjs) and a gateway (lighttpd + oneapi.fcgi)
// wired together through the management API: channels pointing at the fake
// (base_url = fake + "/<prefix>", so each channel's traffic is told apart by
// its path prefix), users, tokens, options; the real `openai` client; and
// the database read with the sqlite3 CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import OpenAI from 'openai';
import { startGateway, api, login, sleep } from './harness.mjs';
import { startUpstream, fixture, sseEvents } from '../fake/upstream.mjs';

export { sleep, fixture, sseEvents };
export const ROOT_AT = 'itest0relay000root0access00tok00';

/** One SQL statement through the sqlite3 CLI; rows as arrays of strings. */
export function sql(dbPath, q) {
  const out = execFileSync('sqlite3', ['-batch', '-separator', '\t', '-cmd', '.timeout 5000', dbPath, q], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
export const num = (dbPath, q) => Number(sql(dbPath, q)[0]?.[0] ?? NaN);

/** Poll fn() until it returns a truthy value (or ms pass); returns the last value. */
export async function waitFor(fn, ms = 3000, step = 50) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(step);
  }
}

// ---- the recorded answers and what they cost ----------------------------

/** The chunks (parsed JSON, [DONE] excluded) of a recorded OpenAI SSE file. */
export function fixtureChunks(name) {
  return sseEvents(fixture(name))
    .map((b) => b.toString('utf8').trim())
    .filter((s) => s.startsWith('data:'))
    .map((s) => s.slice(5).trim())
    .filter((s) => s !== '[DONE]')
    .map((s) => JSON.parse(s));
}
export const fixtureJson = (name) => JSON.parse(fixture(name).toString('utf8'));

/** The usage the upstream reports in a recorded answer. */
export function fixtureUsage(name) {
  if (name.endsWith('.json')) return fixtureJson(name).usage;
  return fixtureChunks(name).findLast((c) => c.usage)?.usage;
}

/** One API's formula: ceil((prompt + completion * cr) * mr * gr); at least 1 when tokens were used. */
export function quotaOf(usage, { mr = 1, cr = 1, gr = 1 } = {}) {
  if (usage.prompt_tokens + usage.completion_tokens === 0) return 0;
  const q = Math.ceil((usage.prompt_tokens + usage.completion_tokens * cr) * mr * gr - 1e-9);
  return mr * gr !== 0 && q <= 0 ? 1 : q;
}

/** Chunk comparison: a `usage: null` key is noise (present iff the upstream was asked for usage). */
export function normChunk(c) {
  const o = { ...c };
  if (o.usage === null) delete o.usage;
  return o;
}

// ---- error shapes ------------------------------------------------------

export const REQ_ID_RE = /^\d{14}\d+$/;

/**
 * An OpenAI-shaped error ({"error":{"message","type",...}}) from the relay,
 * with " (request id: X)" at the end of the message where X is the
 * X-Oneapi-Request-Id header. Returns the error object.
 */
export function assertRelayError(r, status, what = '') {
  const ctx = `${what} -> HTTP ${r.status} ${r.text?.slice(0, 400)}`;
  if (status !== undefined) {
    if (Array.isArray(status)) assert.ok(status.includes(r.status), ctx);
    else assert.equal(r.status, status, ctx);
  }
  assert.ok(r.json && typeof r.json.error === 'object' && r.json.error, `not an OpenAI error: ${ctx}`);
  const e = r.json.error;
  assert.equal(typeof e.message, 'string', ctx);
  assert.equal(typeof e.type, 'string', ctx);
  const id = r.headers.get('x-oneapi-request-id');
  assert.match(id ?? '', REQ_ID_RE, `X-Oneapi-Request-Id missing: ${ctx}`);
  assert.ok(e.message.endsWith(` (request id: ${id})`), `message lacks " (request id: ${id})": ${ctx}`);
  return e;
}

// ---- the setup ---------------------------------------------------------

/**
 * Start the fake upstream and a gateway. Returns an object with:
 *   up, gw, base, dbPath, root(method, path, body), sql(q), num(q),
 *   option(key, value), channel({...}), user(name, {quota, group}),
 *   token(owner, {...}), client(key), chat(key, body, {headers}),
 *   totals(tokenId, userId), stop()
 */
export async function setupRelay({ env = {}, options = {} } = {}) {
  const up = await startUpstream();
  let gw;
  try {
    // the fake upstream serves the test images on loopback, which the gateway refuses to
    // fetch by default (ssrf.test.mjs checks that)
    gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT, USER_CONTENT_ALLOW_PRIVATE: 'true', ...env } });
  } catch (e) {
    await up.stop();
    throw e;
  }
  const ctx = {
    up, gw, base: gw.base, dbPath: gw.dbPath,
    root: (method, path, body) => api(gw.base, method, path, { accessToken: ROOT_AT, body }),
    sql: (q) => sql(gw.dbPath, q),
    num: (q) => num(gw.dbPath, q),
    async stop() {
      try { await gw.stop(); } finally { await up.stop(); }
    },
  };

  ctx.option = async (key, value) => {
    const v = typeof value === 'string' ? value : JSON.stringify(value);
    const r = await ctx.root('PUT', '/api/option/', { key, value: v });
    assert.equal(r.json?.success, true, `option ${key}=${v}: ${r.text}`);
  };
  for (const [k, v] of Object.entries(options)) await ctx.option(k, v);

  let nchan = 0;
  /**
   * A channel at the fake upstream, under path prefix `/<prefix>` (default
   * "ch<N>"). Returns { id, prefix, name }.
   */
  ctx.channel = async ({ models, prefix, name, type = 1, group = 'default', priority = 0, weight = 0,
    model_mapping = '', system_prompt = '', key = 'sk-Xq9vTz2LmW8kRp4Y' } = {}) => {
    nchan++;
    prefix ??= `ch${nchan}`;
    name ??= `chan-${prefix}`;
    const r = await ctx.root('POST', '/api/channel/', {
      name, type, key, base_url: `${up.base}/${prefix}`, other: '', models, group,
      priority, weight, model_mapping, system_prompt, config: '{}',
    });
    assert.equal(r.json?.success, true, `add channel ${name}: ${r.text}`);
    const id = num(gw.dbPath, `SELECT id FROM channels WHERE name = '${name}' ORDER BY id DESC LIMIT 1`);
    assert.ok(id > 0);
    // weight is what LK routes by: make sure it is stored even if the add API ignored it
    if (weight) sql(gw.dbPath, `UPDATE channels SET weight = ${weight} WHERE id = ${id}`);
    return { id, prefix, name };
  };

  /**
   * One channel per entry of defs ({ prefix, type, model, config }), named after its prefix,
   * base_url the fake + "/<prefix>", serving that one model (config: the channel config JSON,
   * e.g. '{"api_format":"response"}').
   */
  ctx.channels = async (defs) => {
    for (const c of defs) {
      const r = await ctx.root('POST', '/api/channel/', {
        name: c.prefix, type: c.type, key: 'sk-Xq9vTz2LmW8kRp4Y', base_url: `${up.base}/${c.prefix}`, other: '',
        models: c.model, group: 'default', priority: 0, weight: 0, model_mapping: '', system_prompt: '', config: c.config ?? '{}',
      });
      assert.equal(r.json?.success, true, `add channel ${c.prefix}: ${r.text}`);
    }
  };

  /** A common user with a quota (and group). Returns { id, cookie, name }. */
  ctx.user = async (name, { quota = 100000000, group = 'default' } = {}) => {
    const pass = `${name}-pass-1234`;
    let r = await ctx.root('POST', '/api/user/', { username: name, password: pass, display_name: name });
    assert.equal(r.json?.success, true, `add user ${name}: ${r.text}`);
    const id = num(gw.dbPath, `SELECT id FROM users WHERE username = '${name}'`);
    r = await ctx.root('PUT', '/api/user/', { id, quota, group });
    assert.equal(r.json?.success, true, `set quota of ${name}: ${r.text}`);
    assert.equal(num(gw.dbPath, `SELECT quota FROM users WHERE id = ${id}`), quota);
    const cookie = await login(gw.base, name, pass);
    return { id, cookie, name };
  };

  /**
   * A token of `owner` (a ctx.user() result, or null for root). Returns
   * { id, key (without sk-), name, userId }.
   */
  let ntok = 0;
  ctx.token = async (owner, { remain_quota = 0, unlimited_quota = true, models, name } = {}) => {
    ntok++;
    name ??= `tok${ntok}`;
    const body = { name, remain_quota, unlimited_quota, expired_time: -1 };
    if (models !== undefined) body.models = models;
    const r = owner
      ? await api(gw.base, 'POST', '/api/token/', { cookie: owner.cookie, body })
      : await ctx.root('POST', '/api/token/', body);
    assert.equal(r.json?.success, true, `add token ${name}: ${r.text}`);
    let { id, key } = r.json.data ?? {};
    if (!key) {	// One API's own POST answers without data: read it back
      [id, key] = sql(gw.dbPath, `SELECT id, \`key\` FROM tokens WHERE name = '${name}' ORDER BY id DESC LIMIT 1`)[0];
    }
    const userId = num(gw.dbPath, `SELECT user_id FROM tokens WHERE id = ${Number(id)}`);
    return { id: Number(id), key, name, userId };
  };

  /** The real OpenAI client for a key (no retries: we count requests). */
  ctx.client = (key, opts = {}) => new OpenAI({
    baseURL: `${gw.base}/v1`, apiKey: `sk-${key}`, maxRetries: 0, timeout: 30000, ...opts,
  });

  /** A raw POST /v1/chat/completions: { status, headers, json, text }. */
  ctx.chat = (key, body, { headers = {}, timeoutMs } = {}) => api(gw.base, 'POST', '/v1/chat/completions', {
    token: key === null ? undefined : `sk-${key}`, body, headers, timeoutMs,
  });

  /** Quota bookkeeping of a token and its owner, and the consume log. */
  ctx.totals = (tokenId) => {
    const [t] = sql(gw.dbPath, `SELECT remain_quota, used_quota, user_id, name FROM tokens WHERE id = ${tokenId}`);
    const [u] = sql(gw.dbPath, `SELECT quota, used_quota, request_count FROM users WHERE id = ${t[2]}`);
    const [l] = sql(gw.dbPath, `SELECT COUNT(*), COALESCE(SUM(quota), 0) FROM logs WHERE type = 2 AND user_id = ${t[2]} AND token_name = '${t[3]}'`);
    return {
      tokenRemain: Number(t[0]), tokenUsed: Number(t[1]),
      userQuota: Number(u[0]), userUsed: Number(u[1]), userRequests: Number(u[2]),
      logRows: Number(l[0]), logQuota: Number(l[1]),
    };
  };

  return ctx;
}

export const USER_MSG = [{ role: 'user', content: 'What is the capital of the UK?' }];
export const TOOLS = [{
  type: 'function',
  function: {
    name: 'get_capital', description: 'The capital of a country',
    parameters: { type: 'object', properties: { country: { type: 'string' } }, required: ['country'] },
  },
}];
