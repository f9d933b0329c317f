// test/integration/relay-stream.test.mjs: streaming through lighttpd is not
// buffered: each event reaches the client when the upstream sends it; a
// silent upstream (slow first byte) still ends in a good answer; a client
// that hangs up stops the upstream transfer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { defaultAnswer } from '../fake/upstream.mjs';
import { setupRelay, fixture, sseEvents, fixtureChunks, fixtureJson, normChunk, waitFor, USER_MSG } from './relay-lib.mjs';

const GAP = 150;
// sanitizer builds (contrib/test sets ONEAPI_TEST_SLOW=3) answer later, not in batches
const LATE = 120 * Number(process.env.ONEAPI_TEST_SLOW || 1);

describe('relay: streaming through lighttpd', () => {
  let R;
  let key;
  let oa;

  before(async () => {
    R = await setupRelay();
    key = (await R.token(null, { unlimited_quota: true })).key;
    oa = R.client(key);
    const paced = await R.channel({ models: 's-paced', prefix: 'paced' });
    R.up.route(`/${paced.prefix}`, (req, json) => ({ ...defaultAnswer(req, json), gapMs: GAP }));
    const slow = await R.channel({ models: 's-slow-first', prefix: 'slowfirst' });
    R.up.route(`/${slow.prefix}`, (req, json) => ({ ...defaultAnswer(req, json), firstByteMs: 6000 }));
    const slowish = await R.channel({ models: 's-slowish', prefix: 'slowish' });
    R.up.route(`/${slowish.prefix}`, (req, json) => ({ ...defaultAnswer(req, json), firstByteMs: 1500 }));
    const long = await R.channel({ models: 's-long', prefix: 'long' });
    R.up.route(`/${long.prefix}`, (req, json) => ({ ...defaultAnswer(req, json), gapMs: 400 }));
  });
  after(async () => { await R?.stop(); });

  it(`events arrive as the upstream sends them (${GAP} ms apart), none held back`, async (t) => {
    const t0 = performance.now();
    const stream = await oa.chat.completions.create({ model: 's-paced', messages: USER_MSG, stream: true });
    const got = [];
    for await (const c of stream) got.push({ at: performance.now() - t0, c });
    const want = fixtureChunks('openai-chat-stream-text.sse').filter((c) => c.choices.length);
    assert.deepEqual(got.map((g) => normChunk(g.c)), want.map(normChunk));
    const base = got[0].at;
    const rel = got.map((g) => Math.round(g.at - base));
    t.diagnostic(`arrivals (ms after the first): ${rel.join(' ')}`);
    for (let i = 1; i < rel.length; i++) {
      // event i leaves the fake i*GAP after event 0: not before (that would
      // be a clock problem), not much later (held back and sent in a batch)
      assert.ok(rel[i] >= i * GAP - 40, `event ${i} at ${rel[i]} ms, before it was sent (${i * GAP}): ${rel}`);
      assert.ok(rel[i] <= i * GAP + LATE, `event ${i} at ${rel[i]} ms, sent at ${i * GAP}: held back? ${rel}`);
    }
    // no two consecutive events glued together
    for (let i = 1; i < rel.length; i++) assert.ok(rel[i] - rel[i - 1] >= GAP / 3, `events ${i - 1},${i} arrived together: ${rel}`);
  });

  it('the first bytes (headers) reach the client before the upstream has finished', async () => {
    const t0 = performance.now();
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 's-paced', messages: USER_MSG, stream: true }),
    });
    const headersAt = performance.now() - t0;
    const reader = res.body.getReader();
    const { value } = await reader.read();
    const firstAt = performance.now() - t0;
    let rest = '';
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest += Buffer.from(r.value).toString('utf8');
    }
    const endAt = performance.now() - t0;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
    assert.ok(Buffer.from(value).toString('utf8').length > 0);
    // the fake sends every recorded event (the usage chunk and [DONE] too) GAP ms apart
    const total = (sseEvents(fixture('openai-chat-stream-text.sse')).length - 1) * GAP;
    assert.ok(headersAt < total / 2 && firstAt < total / 2, `headers at ${headersAt} ms, first data at ${firstAt} ms, end at ${endAt}`);
    assert.ok(endAt >= total - 100, `stream ended at ${endAt} ms, before the upstream finished (${total})`);
    assert.ok(rest.trimEnd().endsWith('data: [DONE]'));
  });

  it('a silent upstream (6 s to the first byte): the stream still succeeds; heartbeat comments allowed', async (t) => {
    const t0 = performance.now();
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 's-slow-first', messages: USER_MSG, stream: true }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const lines = text.split('\n');
    const comments = lines.filter((l) => l.startsWith(':'));
    t.diagnostic(`${comments.length} heartbeat comment(s), ${Math.round(performance.now() - t0)} ms`);
    const data = lines.filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6)));
    const want = fixtureChunks('openai-chat-stream-text.sse').filter((c) => c.choices.length);
    assert.deepEqual(data.map(normChunk), want.map(normChunk));
    assert.ok(text.trimEnd().endsWith('data: [DONE]'));
    // the client (openai) ignores the comments
    const chunks = [];
    for await (const c of await oa.chat.completions.create({ model: 's-slowish', messages: USER_MSG, stream: true })) chunks.push(c);
    assert.equal(chunks.length, want.length);
  });

  it('a slow first byte on a non-stream request still gives the full answer', async () => {
    const data = await oa.chat.completions.create({ model: 's-slowish', messages: USER_MSG });
    assert.deepEqual(data, fixtureJson('openai-chat-nonstream.json'));
  });

  it('a client that hangs up mid-stream ends the upstream transfer', async () => {
    R.up.reset();
    const ac = new AbortController();
    const stream = await oa.chat.completions.create({ model: 's-long', messages: USER_MSG, stream: true }, { signal: ac.signal });
    let n = 0;
    try {
      for await (const _ of stream) {
        if (++n === 2) ac.abort();
      }
    } catch { /* aborted */ }
    const closed = await waitFor(() => R.up.requestsTo('/long')[0]?.closedEarlyAt, 3000);
    // the full stream would take 12 x 400 ms = 4.8 s
    assert.ok(closed, 'the upstream kept streaming to nobody');
    assert.ok(closed - R.up.requestsTo('/long')[0].at < 3000);
  });
});
