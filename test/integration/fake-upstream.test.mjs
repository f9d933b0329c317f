// test/integration/fake-upstream.test.mjs: the fake provider answers exactly like the recordings
import test from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream, fixture, sseEvents } from '../fake/upstream.mjs';

test('fake upstream replays recorded bytes and records requests', async () => {
	const up = await startUpstream();
	try {
		let r = await fetch(up.base + '/ch1/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }) });
		assert.equal(r.status, 200);
		assert.deepEqual(Buffer.from(await r.arrayBuffer()), fixture('openai-chat-nonstream.json'));
		r = await fetch(up.base + '/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'm', stream: true }) });
		assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
		assert.deepEqual(Buffer.from(await r.arrayBuffer()), fixture('openai-chat-stream-text.sse'));
		up.script([{ status: 429, json: { error: { message: 'slow down', type: 'rate_limit_error' } } }, { text: '<html>bad gateway</html>', status: 502 }]);
		r = await fetch(up.base + '/v1/chat/completions', { method: 'POST', body: '{}' });
		assert.equal(r.status, 429);
		r = await fetch(up.base + '/v1/chat/completions', { method: 'POST', body: '{}' });
		assert.equal(r.status, 502);
		assert.match(await r.text(), /bad gateway/);
		assert.equal(up.requests.length, 4);
		assert.equal(up.requests[0].path, '/ch1/v1/chat/completions');
		assert.equal(up.requests[0].json.model, 'm');
		const ev = sseEvents(fixture('gemini-stream.sse'));
		assert.ok(ev.length >= 2);
		assert.equal(Buffer.concat(ev).length, fixture('gemini-stream.sse').length);
	} finally {
		await up.stop();
	}
});
