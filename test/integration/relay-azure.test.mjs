// test/integration/relay-azure.test.mjs: an Azure OpenAI channel: the upstream
// is addressed as {base}/openai/deployments/{model without dots}/{task}
// ?api-version=…, authenticated with api-key, and the client still gets the
// answer as sent; a channel without an api-version is a clear error.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupRelay, fixtureJson, fixture, sql, assertRelayError, USER_MSG } from './relay-lib.mjs';

describe('relay: Azure OpenAI channel', () => {
  let R;
  let key;
  let azId;

  before(async () => {
    R = await setupRelay();
    const ch = await R.channel({ models: 'gpt-3.5-turbo', type: 3, prefix: 'az', key: 'azure-secret' });
    azId = ch.id;
    sql(R.dbPath, `UPDATE channels SET config = '{"api_version":"2024-06-01"}' WHERE id = ${ch.id}`);
    const bad = await R.channel({ models: 'gpt-4o-azure-noversion', type: 3, prefix: 'aznov', key: 'azure-secret' });
    assert.ok(bad.id > 0);
    key = (await R.token(null, { unlimited_quota: true })).key;
  });
  after(async () => { await R?.stop(); });

  it('chat: deployment path without dots, api-version, api-key header; the answer passes through', async () => {
    R.up.reset();
    const r = await R.chat(key, { model: 'gpt-3.5-turbo', messages: USER_MSG });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, fixtureJson('openai-chat-nonstream.json'));
    const sent = R.up.requestsTo('/az');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].path, '/az/openai/deployments/gpt-35-turbo/chat/completions?api-version=2024-06-01');
    assert.equal(sent[0].headers['api-key'], 'azure-secret');
    assert.equal(sent[0].headers.authorization, undefined);
  });

  it('stream: events relayed as sent, [DONE] at the end', async () => {
    R.up.reset();
    const res = await fetch(`${R.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo', stream: true, stream_options: { include_usage: true }, messages: USER_MSG }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    assert.equal(text, fixture('openai-chat-stream-text.sse').toString('utf8'));
    assert.equal(R.up.requestsTo('/az')[0].path, '/az/openai/deployments/gpt-35-turbo/chat/completions?api-version=2024-06-01');
  });

  it('a channel without an api-version: a clear 500, nothing sent upstream, nothing charged', async () => {
    R.up.reset();
    const before = Number(sql(R.dbPath, 'SELECT COUNT(*) FROM logs WHERE type = 2')[0][0]);
    const r = await R.chat(key, { model: 'gpt-4o-azure-noversion', messages: USER_MSG });
    assertRelayError(r, 500);
    assert.match(r.json.error.message, /API version/);
    assert.equal(R.up.requestsTo('/aznov').length, 0);
    await new Promise((ok) => setTimeout(ok, 200));
    assert.equal(Number(sql(R.dbPath, 'SELECT COUNT(*) FROM logs WHERE type = 2')[0][0]), before);
    assert.ok(azId > 0);
  });
});
