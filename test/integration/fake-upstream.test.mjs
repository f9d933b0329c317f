// test/integration/fake-upstream.test.mjs: the fake provider answers exactly like the recordings,
// and its provider-native endpoints (test/fake/providers.mjs) check requests like the real APIs
// and answer in shapes the real SDKs parse
import test, { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startUpstream, fixture, sseEvents, FIXTURES, checkRequest } from '../fake/upstream.mjs';

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

// ---- provider-native endpoints --------------------------------------------------

const RECORDED = JSON.parse(fixture('requests.json').toString('utf8'));
const reqOf = (name) => structuredClone(RECORDED[name].request_body);
const fixtureJson = (name) => JSON.parse(fixture(name).toString('utf8'));
const VISION = fs.readFileSync(path.resolve(FIXTURES, '../vision.png'));
const VISION_B64 = VISION.toString('base64');
const clone = (v) => structuredClone(v);

const AN_HEADERS = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };
const GE_HEADERS = { 'x-goog-api-key': 'AIza-test' };
const OA_HEADERS = { authorization: 'Bearer sk-test' };

const WEATHER_SCHEMA = {
	type: 'object',
	properties: {
		location: { type: 'string', description: 'City and region to look up (example: San Francisco, CA)' },
		unit: { type: 'string', description: 'Temperature unit to use', enum: ['celsius', 'fahrenheit'] },
	},
	required: ['location'],
};
const TOPIC_SCHEMA = {
	type: 'object', additionalProperties: false,
	properties: { topic: { type: 'string', description: 'Primary topic' }, confidence: { type: 'number', description: 'Confidence score between 0 and 1' } },
	required: ['topic', 'confidence'],
};
const SF = { location: 'San Francisco, CA', unit: 'celsius' };
const TOPIC = { topic: 'AI adoption in enterprises', confidence: 0.87 };

/** The events of an SSE body: [{event, data (string), raw}] (CRLF, LF). */
function parseSse(text) {
	return text.split(/\r\n\r\n|\n\n/).filter((s) => s.trim()).map((raw) => {
		const lines = raw.split(/\r\n|\n/);
		const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? null;
		const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
		return { event, data, raw };
	});
}

describe('fake providers', () => {
	let up;
	before(async () => { up = await startUpstream(); });
	after(async () => { await up?.stop(); });

	async function post(p, body, headers = {}) {
		const r = await fetch(up.base + p, {
			method: 'POST', headers: { 'content-type': 'application/json', ...headers },
			body: typeof body === 'string' ? body : JSON.stringify(body),
		});
		const text = await r.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* SSE or garbage */ }
		return { status: r.status, headers: r.headers, text, json };
	}
	const lastRec = () => up.requests.at(-1);

	// ---- Anthropic ----

	describe('Anthropic Messages', () => {
		const BASE = () => ({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello in one sentence.' }] });
		const an = (body, headers = AN_HEADERS, p = '/an/v1/messages') => post(p, body, headers);
		const client = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: `${up.base}/an`, maxRetries: 0 });

		it('accepts every recorded request (requests.json) and counts tokens', async () => {
			for (const name of ['anthropic-messages-stream-text.sse', 'anthropic-messages-stream-thinking.sse', 'anthropic-messages-stream-redacted-thinking.sse',
				'anthropic-messages-nonstream-thinking-tool.json', 'anthropic-messages-nonstream-thinking-tool-turn2.json', 'anthropic-messages-nonstream-cache-usage.json']) {
				const r = await an(reqOf(name), AN_HEADERS, '/an/v1/messages?beta=true');
				assert.equal(r.status, 200, `${name}: ${r.text.slice(0, 300)}`);
				assert.equal(lastRec().status, 200);
				assert.equal(checkRequest(lastRec()), null);
			}
			const r = await an(reqOf('anthropic-count-tokens.json'), AN_HEADERS, '/an/v1/messages/count_tokens?beta=true');
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(Object.keys(r.json), Object.keys(fixtureJson('anthropic-count-tokens.json')));
			assert.ok(r.json.input_tokens > 0);
			const bad = await an({ ...reqOf('anthropic-count-tokens.json'), max_tokens: 10 }, AN_HEADERS, '/an/v1/messages/count_tokens');
			assert.equal(bad.status, 400);
		});

		it('non-stream answer has the recorded keys, text by default', async () => {
			const r = await an(BASE());
			assert.equal(r.status, 200, r.text);
			const want = fixtureJson('anthropic-messages-nonstream.json');
			assert.deepEqual(Object.keys(r.json), Object.keys(want));
			assert.deepEqual(Object.keys(r.json.usage), Object.keys(want.usage));
			assert.equal(r.json.model, 'claude-haiku-4-5');
			assert.match(r.json.id, /^msg_/);
			assert.equal(r.json.content.length, 1);
			assert.equal(r.json.content[0].type, 'text');
			assert.ok(r.json.content[0].text.length > 0);
			assert.equal(r.json.stop_reason, 'end_turn');
			assert.match(r.headers.get('request-id') ?? '', /^req_/);
		});

		it('stream: recorded event grammar, names and padding', async () => {
			const r = await an({ ...BASE(), stream: true });
			assert.equal(r.status, 200);
			assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
			const got = parseSse(r.text);
			const want = parseSse(fixture('anthropic-messages-stream-text.sse').toString('utf8'));
			const names = got.map((e) => e.event);
			assert.deepEqual([...new Set(names)], [...new Set(want.map((e) => e.event))]);
			assert.equal(names[0], 'message_start');
			assert.equal(names.at(-1), 'message_stop');
			assert.equal(names[2], 'ping');
			for (const e of got) {
				const d = JSON.parse(e.data);
				assert.equal(d.type, e.event);
				if (e.event !== 'ping') assert.match(e.data, / +}$/, 'data padded like the recording');
			}
			assert.deepEqual(Object.keys(JSON.parse(got[0].data).message), Object.keys(JSON.parse(want[0].data).message));
			assert.ok(r.text.endsWith('\n\n'));
		});

		it('through @anthropic-ai/sdk: text, forced tool, auto tool, streams, structured output, image, count_tokens', async () => {
			const c = client();
			let m = await c.messages.create(BASE());
			assert.equal(m.content[0].type, 'text');

			const tools = [{ name: 'get_weather', description: 'Get the current weather for a location', input_schema: WEATHER_SCHEMA }];
			m = await c.messages.create({ ...BASE(), tools, tool_choice: { type: 'tool', name: 'get_weather' } });
			assert.deepEqual(m.content.map((b) => b.type), ['tool_use']);
			assert.equal(m.content[0].name, 'get_weather');
			assert.deepEqual(m.content[0].input, SF);
			assert.equal(m.stop_reason, 'tool_use');

			m = await c.messages.create({ ...BASE(), tools, messages: [{ role: 'user', content: 'What is the weather in SF, in fahrenheit?' }] });
			assert.deepEqual(m.content.map((b) => b.type), ['text', 'tool_use']);
			assert.deepEqual(m.content[1].input, { location: 'San Francisco, CA', unit: 'fahrenheit' });

			m = await c.messages.create({ ...BASE(), tools, tool_choice: { type: 'none' } });
			assert.deepEqual(m.content.map((b) => b.type), ['text']);

			const s = c.messages.stream({ ...BASE(), tools, tool_choice: { type: 'any' } });
			const events = [];
			for await (const e of s) events.push(e.type);
			const fin = await s.finalMessage();
			assert.equal(events[0], 'message_start');
			assert.equal(events.at(-1), 'message_stop');
			assert.deepEqual(fin.content.map((b) => b.type), ['tool_use']);
			assert.deepEqual(fin.content[0].input, SF);
			assert.ok(fin.usage.output_tokens > 0 && fin.usage.input_tokens > 0);

			const ts = c.messages.stream({ ...BASE(), max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 } });
			const tfin = await ts.finalMessage();
			assert.deepEqual(tfin.content.map((b) => b.type), ['thinking', 'text']);
			assert.ok(tfin.content[0].signature.length > 0);

			m = await c.messages.create({ ...BASE(), output_config: { format: { type: 'json_schema', schema: TOPIC_SCHEMA } } });
			assert.deepEqual(JSON.parse(m.content[0].text), TOPIC);
			m = await c.messages.create({
				...BASE(), messages: [{ role: 'user', content: 'Give me topic and confidence.' }],
				tools: [{ name: 'topic_classifier', description: 'Return structured topic and confidence data', input_schema: TOPIC_SCHEMA }],
				tool_choice: { type: 'tool', name: 'topic_classifier' },
			});
			assert.deepEqual(m.content[0].input, TOPIC);

			m = await c.messages.create({
				...BASE(), messages: [{ role: 'user', content: [
					{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: VISION_B64 } },
					{ type: 'text', text: 'Describe the main elements in this photograph.' }] }],
			});
			assert.match(m.content[0].text, /48x32 PNG/);
			// @anthropic-ai/sdk >= 1.0 sends the key as a Bearer token and API version 2026-10-21
			const rec = lastRec();
			assert.equal(rec.headers['anthropic-version'], '2026-10-21');
			assert.equal(rec.headers.authorization, 'Bearer sk-ant-test');

			const n = await c.messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
			assert.ok(n.input_tokens > 0);
		});

		it('tool history: answered tool_use, split results in consecutive user messages (merged), trailing unanswered tool_use', async () => {
			const use = (id, input = SF) => ({ type: 'tool_use', id, name: 'get_weather', input });
			const res = (id) => ({ type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text: '{"temperature_c":15}' }] });
			const tools = [{ name: 'get_weather', input_schema: WEATHER_SCHEMA }];
			const ok = [
				[{ role: 'user', content: 'weather?' }, { role: 'assistant', content: [use('toolu_1')] }, { role: 'user', content: [res('toolu_1'), { type: 'text', text: 'again in fahrenheit' }] }],
				[{ role: 'user', content: 'weather?' }, { role: 'assistant', content: [use('toolu_1'), use('toolu_2')] }, { role: 'user', content: [res('toolu_1')] }, { role: 'user', content: [res('toolu_2')] }],
				[{ role: 'user', content: 'hi' }, { role: 'user', content: 'there' }],
				[{ role: 'user', content: 'weather?' }, { role: 'assistant', content: [use('toolu_1')] }],
				[{ role: 'user', content: 'weather?' }, { role: 'assistant', content: '' }],
			];
			for (const messages of ok) {
				const r = await an({ ...BASE(), tools, messages });
				assert.equal(r.status, 200, `${JSON.stringify(messages)}: ${r.text}`);
			}
		});

		it('refuses what the real API refuses, in its error shape', async () => {
			const tools = [{ name: 'get_weather', input_schema: WEATHER_SCHEMA }];
			const use = { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: SF };
			const res = { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' };
			const png = { type: 'base64', media_type: 'image/png', data: VISION_B64 };
			const cases = [
				['no x-api-key', BASE(), { 'anthropic-version': '2023-06-01' }, 401, /x-api-key/],
				['no anthropic-version', BASE(), { 'x-api-key': 'k' }, 400, /anthropic-version/],
				['unknown anthropic-version', BASE(), { 'x-api-key': 'k', 'anthropic-version': '2024-01-01' }, 400, /anthropic-version/],
				['max_tokens missing', { ...BASE(), max_tokens: undefined }, AN_HEADERS, 400, /max_tokens: Field required/],
				['max_tokens 0', { ...BASE(), max_tokens: 0 }, AN_HEADERS, 400, /max_tokens/],
				['max_tokens 1.5', { ...BASE(), max_tokens: 1.5 }, AN_HEADERS, 400, /max_tokens/],
				['messages missing', { ...BASE(), messages: undefined }, AN_HEADERS, 400, /messages: Field required/],
				['messages empty', { ...BASE(), messages: [] }, AN_HEADERS, 400, /at least one message/],
				['system role in messages', { ...BASE(), messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] }, AN_HEADERS, 400, /role: Input should be 'user' or 'assistant'/],
				['first message assistant', { ...BASE(), messages: [{ role: 'assistant', content: 'hello' }, { role: 'user', content: 'hi' }] }, AN_HEADERS, 400, /first message/],
				['unknown block type', { ...BASE(), messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, AN_HEADERS, 400, /Input tag 'image_url'/],
				['empty text block', { ...BASE(), messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, AN_HEADERS, 400, /non-whitespace/],
				['empty assistant string mid-conversation', { ...BASE(), messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: '' }, { role: 'user', content: 'b' }] }, AN_HEADERS, 400, /non-empty content/],
				['tool_result without tool_use', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: [res] }] }, AN_HEADERS, 400, /unexpected `tool_use_id`/],
				['tool_result with another id', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [use] }, { role: 'user', content: [{ ...res, tool_use_id: 'toolu_2' }] }] }, AN_HEADERS, 400, /toolu_2/],
				['tool_result after text', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [use] }, { role: 'user', content: [{ type: 'text', text: 'here' }, res] }] }, AN_HEADERS, 400, /must come first/],
				['tool_use not answered', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [use] }, { role: 'user', content: 'go on' }] }, AN_HEADERS, 400, /without `tool_result` blocks/],
				['tool_use input a string', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ ...use, input: '{"location":"x"}' }] }, { role: 'user', content: [res] }] }, AN_HEADERS, 400, /input: Input should be a valid dictionary/],
				['tool_use id with a colon', { ...BASE(), tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ ...use, id: 'call:1' }] }, { role: 'user', content: [{ ...res, tool_use_id: 'call:1' }] }] }, AN_HEADERS, 400, /pattern/],
				['tool without name', { ...BASE(), tools: [{ input_schema: WEATHER_SCHEMA }] }, AN_HEADERS, 400, /name: Field required/],
				['tool without input_schema', { ...BASE(), tools: [{ name: 'x' }] }, AN_HEADERS, 400, /input_schema: Field required/],
				['input_schema not an object schema', { ...BASE(), tools: [{ name: 'x', input_schema: { type: 'string' } }] }, AN_HEADERS, 400, /input_schema.type/],
				['Chat-style tool', { ...BASE(), tools: [{ type: 'function', function: { name: 'x', parameters: WEATHER_SCHEMA } }] }, AN_HEADERS, 400, /Input tag 'function'/],
				['tool_choice a string', { ...BASE(), tools, tool_choice: 'auto' }, AN_HEADERS, 400, /tool_choice/],
				['tool_choice Chat-style', { ...BASE(), tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }, AN_HEADERS, 400, /tool_choice/],
				['tool_choice of an unknown tool', { ...BASE(), tools, tool_choice: { type: 'tool', name: 'nope' } }, AN_HEADERS, 400, /nope/],
				['thinking budget < 1024', { ...BASE(), max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1000 } }, AN_HEADERS, 400, /1024/],
				['thinking budget >= max_tokens', { ...BASE(), max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 2048 } }, AN_HEADERS, 400, /max_tokens/],
				['thinking with temperature', { ...BASE(), max_tokens: 4096, temperature: 0.7, thinking: { type: 'enabled', budget_tokens: 1024 } }, AN_HEADERS, 400, /temperature/],
				['thinking with top_k', { ...BASE(), max_tokens: 4096, top_k: 40, thinking: { type: 'enabled', budget_tokens: 1024 } }, AN_HEADERS, 400, /top_k/],
				['thinking with a forced tool', { ...BASE(), max_tokens: 4096, tools, tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 1024 } }, AN_HEADERS, 400, /forces tool use/],
				['temperature 1.5', { ...BASE(), temperature: 1.5 }, AN_HEADERS, 400, /temperature/],
				['image media_type bmp', { ...BASE(), messages: [{ role: 'user', content: [{ type: 'image', source: { ...png, media_type: 'image/bmp' } }] }] }, AN_HEADERS, 400, /media_type/],
				['image PNG labelled JPEG', { ...BASE(), messages: [{ role: 'user', content: [{ type: 'image', source: { ...png, media_type: 'image/jpeg' } }] }] }, AN_HEADERS, 400, /does not match/],
				['image source a data URL', { ...BASE(), messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'data_url', url: `data:image/png;base64,${VISION_B64}` } }] }] }, AN_HEADERS, 400, /'base64', 'url'/],
				['unknown top-level field', { ...BASE(), stream_options: { include_usage: true } }, AN_HEADERS, 400, /stream_options: Extra inputs/],
				['Chat message fields', { ...BASE(), messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: [] }] }, AN_HEADERS, 400, /Extra inputs|content/],
				['five cache_control blocks', { ...BASE(), messages: [{ role: 'user', content: [1, 2, 3, 4, 5].map((i) => ({ type: 'text', text: `t${i}`, cache_control: { type: 'ephemeral' } })) }] }, AN_HEADERS, 400, /maximum of 4/],
				['malformed JSON', '{"model":', AN_HEADERS, 400, /parsing/],
			];
			for (const [name, body, headers, status, re] of cases) {
				const r = await an(body, headers);
				assert.equal(r.status, status, `${name}: ${r.text}`);
				assert.equal(r.json?.type, 'error', `${name}: ${r.text}`);
				assert.equal(typeof r.json.error?.type, 'string');
				assert.equal(r.json.error.type, status === 401 ? 'authentication_error' : 'invalid_request_error');
				assert.match(r.json.error.message, re, name);
				assert.match(r.json.request_id, /^req_/);
				assert.deepEqual(Object.keys(r.json), ['type', 'error', 'request_id']);
				assert.equal(lastRec().status, status);
				assert.equal(lastRec().rejected, r.json.error.message);
				if (typeof body !== 'string') assert.equal(checkRequest(lastRec()), r.json.error.message, `${name}: re-check`);
			}
			// the SDK raises them as its own errors
			await assert.rejects(client().messages.create({ ...BASE(), temperature: 1.5 }), (e) => e.status === 400 && e.error?.error?.type === 'invalid_request_error');
		});
	});

	// ---- OpenAI Responses ----

	describe('OpenAI Responses', () => {
		const BASE = () => ({ model: 'gpt-5-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say hello in one sentence.' }] }] });
		const rs = (body, headers = OA_HEADERS) => post('/or/v1/responses', body, headers);
		const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${up.base}/or/v1`, maxRetries: 0 });
		const tool = { type: 'function', name: 'get_weather', description: 'Get the current weather for a location', parameters: WEATHER_SCHEMA };

		it('accepts every recorded request; the recorded 400 comes back the same', async () => {
			for (const name of ['responses-stream-text.sse', 'responses-stream-reasoning-tool.sse', 'responses-stream-text-tool-phase.sse',
				'responses-stream-reasoning-summary.sse', 'responses-stream-tool-2025-03-no-seq.sse', 'responses-stream-text-tool-phase-turn2.sse']) {
				const r = await rs(reqOf(name));
				assert.equal(r.status, 200, `${name}: ${r.text.slice(0, 300)}`);
				assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
			}
			const r = await rs(reqOf('responses-error-400.json'));
			assert.equal(r.status, 400);
			assert.deepEqual(r.json, fixtureJson('responses-error-400.json'));
		});

		it('non-stream: the recorded Response keys; stream: the recorded event sequence, sequence_number 0..n', async () => {
			let r = await rs({ ...BASE(), model: 'gpt-4.1' });
			assert.equal(r.status, 200, r.text);
			const want = fixtureJson('responses-nonstream.json');
			for (const k of Object.keys(want)) assert.ok(k in r.json, `key ${k}`);
			assert.deepEqual(Object.keys(r.json.usage), Object.keys(want.usage));
			assert.deepEqual(r.json.output.map((o) => o.type), ['message']);
			assert.deepEqual(Object.keys(r.json.output[0]), Object.keys(want.output[0]));

			r = await rs({ ...BASE(), model: 'gpt-4.1', stream: true });
			const got = parseSse(r.text);
			const rec = parseSse(fixture('responses-stream-text.sse').toString('utf8'));
			const types = (l) => [...new Set(l.map((e) => e.event))];
			assert.deepEqual(types(got), types(rec));
			got.forEach((e, i) => {
				const d = JSON.parse(e.data);
				assert.equal(d.type, e.event);
				assert.equal(d.sequence_number, i);
			});
			assert.ok(!r.text.includes('[DONE]'));
		});

		it('through the openai client: text, reasoning item, forced and auto tools, structured output, image', async () => {
			const c = client();
			let res = await c.responses.create(BASE());
			assert.ok(res.output_text.length > 0);
			assert.equal(res.output[0].type, 'reasoning');

			res = await c.responses.create({ ...BASE(), tools: [tool], tool_choice: { type: 'function', name: 'get_weather' } });
			const fc = res.output.find((o) => o.type === 'function_call');
			assert.equal(fc.name, 'get_weather');
			assert.deepEqual(JSON.parse(fc.arguments), SF);
			assert.match(fc.call_id, /^call_/);
			assert.ok(!res.output.some((o) => o.type === 'message'), 'a forced call comes without text');

			res = await c.responses.create({ ...BASE(), tools: [tool], tool_choice: 'auto' });
			assert.deepEqual(res.output.map((o) => o.type), ['reasoning', 'message', 'function_call']);

			res = await c.responses.create({
				...BASE(),
				text: { format: { type: 'json_schema', name: 'topic_classification', strict: true, schema: TOPIC_SCHEMA } },
			});
			assert.deepEqual(JSON.parse(res.output_text), TOPIC);

			res = await c.responses.create({
				model: 'gpt-5-mini', input: [{ role: 'user', content: [
					{ type: 'input_text', text: 'Describe the main elements in this photograph.' },
					{ type: 'input_image', image_url: `data:image/png;base64,${VISION_B64}`, detail: 'low' }] }],
			});
			assert.match(res.output_text, /48x32 PNG/);

			const stream = await c.responses.create({ ...BASE(), tools: [tool], tool_choice: 'required', stream: true });
			const events = [];
			for await (const e of stream) events.push(e);
			assert.equal(events[0].type, 'response.created');
			assert.equal(events.at(-1).type, 'response.completed');
			events.forEach((e, i) => assert.equal(e.sequence_number, i));
			const done = events.find((e) => e.type === 'response.function_call_arguments.done');
			assert.deepEqual(JSON.parse(done.arguments), SF);
			const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
			assert.equal(deltas, done.arguments);
			assert.ok(events.at(-1).response.usage.total_tokens > 0);
		});

		it('refuses what the real API refuses, in the OpenAI error shape', async () => {
			const call = { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"location":"SF"}' };
			const out = { type: 'function_call_output', call_id: 'call_1', output: '{"t":15}' };
			const cases = [
				['no key', BASE(), {}, 401, /API key/],
				['messages', { ...BASE(), messages: [{ role: 'user', content: 'hi' }] }, OA_HEADERS, 400, /Unknown parameter: 'messages'/],
				['unknown item type', { ...BASE(), input: [{ type: 'tool_result', tool_use_id: 'x', content: 'y' }] }, OA_HEADERS, 400, /Invalid value: 'tool_result'/],
				['unknown role', { ...BASE(), input: [{ role: 'tool', content: 'y' }] }, OA_HEADERS, 400, /Invalid value: 'tool'/],
				['Chat-style function tool', { ...BASE(), tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_SCHEMA } }] }, OA_HEADERS, 400, /Missing required parameter: 'tools\[0\]\.name'/],
				['function tool without name', { ...BASE(), tools: [{ type: 'function', parameters: WEATHER_SCHEMA }] }, OA_HEADERS, 400, /tools\[0\]\.name/],
				['output without its call', { ...BASE(), input: [...BASE().input, out] }, OA_HEADERS, 400, /No tool call found for function call output with call_id call_1/],
				['output of another call', { ...BASE(), input: [...BASE().input, call, { ...out, call_id: 'call_2' }] }, OA_HEADERS, 400, /call_2/],
				['arguments as an object', { ...BASE(), input: [...BASE().input, { ...call, arguments: { location: 'SF' } }, out] }, OA_HEADERS, 400, /expected a string/],
				['max_output_tokens 8', { ...BASE(), max_output_tokens: 8 }, OA_HEADERS, 400, />= 16/],
				['stop', { ...BASE(), stop: ['x'] }, OA_HEADERS, 400, /Unknown parameter: 'stop'/],
				['n', { ...BASE(), n: 1 }, OA_HEADERS, 400, /Unknown parameter: 'n'/],
				['seed', { ...BASE(), seed: 7 }, OA_HEADERS, 400, /Unknown parameter: 'seed'/],
				['json_schema without name', { ...BASE(), text: { format: { type: 'json_schema', schema: TOPIC_SCHEMA } } }, OA_HEADERS, 400, /text\.format\.name/],
				['json_schema without schema', { ...BASE(), text: { format: { type: 'json_schema', name: 'x' } } }, OA_HEADERS, 400, /text\.format\.schema/],
				['json_schema Chat-style', { ...BASE(), text: { format: { type: 'json_schema', json_schema: { name: 'x', schema: TOPIC_SCHEMA } } } }, OA_HEADERS, 400, /text\.format/],
				['tool_choice type tool', { ...BASE(), tools: [tool], tool_choice: { type: 'tool', name: 'get_weather' } }, OA_HEADERS, 400, /Invalid value: 'tool'/],
				['tool_choice Chat-style', { ...BASE(), tools: [tool], tool_choice: { type: 'function', function: { name: 'get_weather' } } }, OA_HEADERS, 400, /tool_choice/],
				['stream_options.include_usage', { ...BASE(), stream: true, stream_options: { include_usage: true } }, OA_HEADERS, 400, /stream_options\.include_usage/],
				['assistant input_text part', { ...BASE(), input: [{ role: 'assistant', content: [{ type: 'input_text', text: 'x' }] }] }, OA_HEADERS, 400, /output_text/],
				['bad data URL image', { ...BASE(), input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA' }] }] }, OA_HEADERS, 400, /unsupported image/],
			];
			for (const [name, body, headers, status, re] of cases) {
				const r = await rs(body, headers);
				assert.equal(r.status, status, `${name}: ${r.text}`);
				assert.deepEqual(Object.keys(r.json?.error ?? {}), ['message', 'type', 'param', 'code'], `${name}: ${r.text}`);
				assert.equal(r.json.error.type, 'invalid_request_error');
				assert.match(r.json.error.message, re, name);
				assert.equal(lastRec().rejected, r.json.error.message);
			}
			// with server-side state an output needs no call in the input
			const r = await rs({ ...BASE(), previous_response_id: 'resp_1', input: [out] });
			assert.equal(r.status, 200, r.text);
		});
	});

	// ---- Gemini ----

	describe('Gemini', () => {
		const BASE = () => ({ contents: [{ role: 'user', parts: [{ text: 'Say hello in one sentence.' }] }] });
		const gen = (body, { stream = false, model = 'gemini-2.5-flash', headers = GE_HEADERS, alt = true } = {}) =>
			post(`/ge/v1beta/models/${model}:${stream ? `streamGenerateContent${alt ? '?alt=sse' : ''}` : 'generateContent'}`, body, headers);
		const chunksOf = (text) => text.split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
		const decl = { name: 'get_weather', description: 'Get the current weather for a location', parameters: WEATHER_SCHEMA };

		it('accepts every recorded request (snake_case, parameters_json_schema, a lone tools object, thoughtSignature)', async () => {
			for (const name of ['gemini-stream.sse', 'gemini-stream-tools.sse', 'gemini-stream-thinking.sse', 'gemini-stream-tools-turn2.sse']) {
				const model = /models\/([^:]+):/.exec(RECORDED[name].uri)[1];
				const r = await gen(reqOf(name), { stream: true, model });
				assert.equal(r.status, 200, `${name}: ${r.text.slice(0, 300)}`);
				assert.equal(lastRec().warnings, undefined, name);
			}
			const r = await gen(reqOf('gemini-nonstream-tools.json'), { model: 'gemini-2.0-flash-exp' });
			assert.equal(r.status, 200, r.text);
			assert.equal(r.json.candidates[0].content.parts.at(-1).functionCall.name, 'get_capital');
			assert.deepEqual(r.json.candidates[0].content.parts.at(-1).functionCall.args, { country: 'France' });
		});

		it('stream: data: chunks with CRLF CRLF, recorded JSON spacing, usage on every chunk, STOP on the last', async () => {
			const r = await gen(BASE(), { stream: true });
			assert.equal(r.status, 200);
			assert.equal(r.headers.get('content-type'), 'text/event-stream');
			assert.ok(r.text.startsWith('data: {"candidates": [{"content": {"parts": [{"text": '), r.text.slice(0, 80));
			assert.ok(r.text.endsWith('}\r\n\r\n'));
			assert.ok(!/\n(?<!\r\n)/.test(r.text.replace(/\r\n/g, '')), 'no bare LF');
			const chunks = chunksOf(r.text);
			assert.ok(chunks.length >= 2);
			for (const c of chunks) {
				assert.ok(c.usageMetadata.promptTokenCount > 0);
				assert.equal(c.modelVersion, 'gemini-2.5-flash');
				assert.equal(c.candidates[0].content.role, 'model');
			}
			assert.deepEqual(chunks.map((c) => c.candidates[0].finishReason ?? null), [...chunks.slice(1).map(() => null), 'STOP']);
			assert.ok(chunks.map((c) => c.candidates[0].content.parts[0].text).join('').length > 0);
			const u = chunks.at(-1).usageMetadata;
			assert.equal(u.totalTokenCount, u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0));
			// without alt=sse: one JSON array
			const a = await gen(BASE(), { stream: true, alt: false });
			assert.equal(a.status, 200);
			assert.ok(Array.isArray(a.json) && a.json.length === chunks.length);
		});

		it('function calls (ANY / AUTO / NONE), JSON mode, image; non-stream shape', async () => {
			let r = await gen({ ...BASE(), tools: [{ functionDeclarations: [decl] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } } });
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(Object.keys(r.json), ['candidates', 'usageMetadata', 'modelVersion', 'responseId']);
			let parts = r.json.candidates[0].content.parts;
			assert.equal(parts.length, 1);
			assert.deepEqual(parts[0].functionCall, { name: 'get_weather', args: SF });
			assert.ok(parts[0].thoughtSignature);
			assert.equal(r.json.candidates[0].finishReason, 'STOP');

			r = await gen({ ...BASE(), tools: [{ functionDeclarations: [decl] }] }, { stream: true });
			const chunks = chunksOf(r.text);
			parts = chunks.flatMap((c) => c.candidates[0].content.parts);
			assert.ok(parts.some((p) => p.text), 'AUTO: text first');
			assert.deepEqual(parts.find((p) => p.functionCall).functionCall, { name: 'get_weather', args: SF });
			assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');

			r = await gen({ ...BASE(), tools: [{ functionDeclarations: [decl] }], toolConfig: { functionCallingConfig: { mode: 'NONE' } } });
			assert.ok(!r.json.candidates[0].content.parts.some((p) => p.functionCall));

			const { additionalProperties, ...openapi } = TOPIC_SCHEMA;
			void additionalProperties;
			r = await gen({ ...BASE(), generationConfig: { responseMimeType: 'application/json', responseSchema: openapi } });
			assert.deepEqual(JSON.parse(r.json.candidates[0].content.parts[0].text), TOPIC);
			r = await gen({ ...BASE(), generationConfig: { responseMimeType: 'application/json', responseJsonSchema: TOPIC_SCHEMA } });
			assert.deepEqual(JSON.parse(r.json.candidates[0].content.parts[0].text), TOPIC);

			r = await gen({ contents: [{ role: 'user', parts: [{ text: 'Describe it.' }, { inlineData: { mimeType: 'image/png', data: VISION_B64 } }] }] });
			assert.match(r.json.candidates[0].content.parts[0].text, /48x32 PNG/);
		});

		it('a functionCall in history without thoughtSignature is accepted with a warning', async () => {
			const r = await gen({ contents: [
				{ role: 'user', parts: [{ text: 'weather?' }] },
				{ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: SF } }] },
				{ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature_c: 15 } } }] },
			], tools: [{ functionDeclarations: [decl] }] });
			assert.equal(r.status, 200, r.text);
			assert.equal(lastRec().warnings.length, 1);
			assert.match(lastRec().warnings[0], /thoughtSignature/);
		});

		it('refuses what the real API refuses, in its error shape', async () => {
			const hist = (fr) => ({ contents: [
				{ role: 'user', parts: [{ text: 'weather?' }] },
				{ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: SF }, thoughtSignature: 'c2ln' }] },
				{ role: 'user', parts: [{ functionResponse: fr }] },
			] });
			const cases = [
				['no key', BASE(), {}, 403, 'PERMISSION_DENIED', /unregistered callers/],
				['model in the body', { ...BASE(), model: 'gemini-2.5-flash' }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /Unknown name "model"/],
				['role assistant', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /valid role/],
				['role system', { contents: [{ role: 'system', parts: [{ text: 'x' }] }, ...BASE().contents] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /valid role/],
				['empty parts', { contents: [{ role: 'user', parts: [] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /parts must not be empty/],
				['no contents', { contents: [] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /contents is not specified/],
				['functionResponse without name', hist({ response: { t: 15 } }), GE_HEADERS, 400, 'INVALID_ARGUMENT', /Name cannot be empty/],
				['functionResponse.response a string', hist({ name: 'get_weather', response: '{"t":15}' }), GE_HEADERS, 400, 'INVALID_ARGUMENT', /Struct/],
				['functionResponse.response an array', hist({ name: 'get_weather', response: [1] }), GE_HEADERS, 400, 'INVALID_ARGUMENT', /not repeating/],
				['fewer responses than calls', { contents: [
					{ role: 'user', parts: [{ text: 'weather?' }] },
					{ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: SF } }, { functionCall: { name: 'get_weather', args: SF } }] },
					{ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { t: 1 } } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /number of function response parts/],
				['additionalProperties in parameters', { ...BASE(), tools: [{ functionDeclarations: [{ ...decl, parameters: { ...WEATHER_SCHEMA, additionalProperties: false } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /Unknown name "additionalProperties"/],
				['$schema in parameters', { ...BASE(), tools: [{ functionDeclarations: [{ ...decl, parameters: { $schema: 'http://json-schema.org/draft-07/schema#', ...WEATHER_SCHEMA } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /Unknown name "\$schema"/],
				['nested additionalProperties', { ...BASE(), tools: [{ functionDeclarations: [{ ...decl, parameters: { type: 'object', properties: { o: { type: 'object', additionalProperties: false } } } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /additionalProperties/],
				['type as a list', { ...BASE(), tools: [{ functionDeclarations: [{ ...decl, parameters: { type: 'object', properties: { o: { type: ['string', 'null'] } } } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /not repeating/],
				['additionalProperties in responseSchema', { ...BASE(), generationConfig: { responseMimeType: 'application/json', responseSchema: TOPIC_SCHEMA } }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /additionalProperties/],
				['responseSchema without JSON mime', { ...BASE(), generationConfig: { responseSchema: { type: 'object', properties: {} } } }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /response_mime_type/],
				['unknown generationConfig field', { ...BASE(), generationConfig: { max_tokens: 100 } }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /Unknown name "max_tokens"/],
				['systemInstruction role system', { ...BASE(), systemInstruction: { role: 'system', parts: [{ text: 'be brief' }] } }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /valid role/],
				['OpenAI-style part', { contents: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /Unknown name "type"/],
				['a call right after a model turn', { contents: [
					{ role: 'user', parts: [{ text: 'x' }] }, { role: 'model', parts: [{ text: 'y' }] },
					{ role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] }] }, GE_HEADERS, 400, 'INVALID_ARGUMENT', /function call turn/],
			];
			for (const [name, body, headers, status, gstatus, re] of cases) {
				const r = await gen(body, { headers });
				assert.equal(r.status, status, `${name}: ${r.text}`);
				assert.deepEqual(Object.keys(r.json?.error ?? {}), ['code', 'message', 'status'], `${name}: ${r.text}`);
				assert.equal(r.json.error.code, status);
				assert.equal(r.json.error.status, gstatus);
				assert.match(r.json.error.message, re, name);
				assert.equal(lastRec().rejected, r.json.error.message);
			}
			// a streaming request fails with a plain JSON error too
			const r = await gen({ ...BASE(), model: 'x' }, { stream: true });
			assert.equal(r.status, 400);
			assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
		});
	});

	// ---- OpenAI Chat ----

	describe('OpenAI Chat', () => {
		const BASE = () => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in one sentence.' }] });
		const chat = (body) => post('/oc/v1/chat/completions', body, OA_HEADERS);
		const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${up.base}/oc/v1`, maxRetries: 0 });
		const tool = { type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a location', parameters: WEATHER_SCHEMA } };
		const forced = { type: 'function', function: { name: 'get_weather' } };

		it('what the recordings answer is answered by them, byte for byte, as before', async () => {
			const capital = [{ type: 'function', function: { name: 'get_capital', parameters: { type: 'object', properties: { country: { type: 'string' } } } } }];
			let r = await chat({ ...BASE(), tools: capital });
			assert.equal(r.text, fixture('openai-chat-nonstream-parallel-tools.json').toString('utf8'));
			r = await chat({ ...BASE(), tools: capital, stream: true });
			assert.equal(r.text, fixture('openai-chat-stream-tools.sse').toString('utf8'));
			r = await chat(reqOf('openai-chat-stream-text.sse'));	// tool history with get_capital
			assert.equal(r.status, 200);
			r = await chat({ ...BASE(), response_format: { type: 'text' } });
			assert.equal(r.text, fixture('openai-chat-nonstream.json').toString('utf8'));
		});

		it('forced tool, structured output, image, foreign tools: answered in the recorded shapes', async () => {
			const c = client();
			let res = await c.chat.completions.create({ ...BASE(), tools: [tool], tool_choice: forced });
			const want = fixtureJson('openai-chat-nonstream.json');
			for (const k of Object.keys(want)) assert.ok(k in res, `key ${k}`);
			assert.equal(res.choices[0].finish_reason, 'tool_calls');
			assert.equal(res.choices[0].message.content, null);
			assert.equal(res.choices[0].message.tool_calls[0].function.name, 'get_weather');
			assert.deepEqual(JSON.parse(res.choices[0].message.tool_calls[0].function.arguments), SF);

			res = await c.chat.completions.create({ ...BASE(), response_format: { type: 'json_schema', json_schema: { name: 'topic_classification', strict: true, schema: TOPIC_SCHEMA } } });
			assert.deepEqual(JSON.parse(res.choices[0].message.content), TOPIC);

			res = await c.chat.completions.create({ ...BASE(), messages: [{ role: 'user', content: [
				{ type: 'text', text: 'Describe the main elements in this photograph.' },
				{ type: 'image_url', image_url: { url: `data:image/png;base64,${VISION_B64}`, detail: 'low' } }] }] });
			assert.match(res.choices[0].message.content, /48x32 PNG/);

			res = await c.chat.completions.create({ ...BASE(), tools: [tool] });
			assert.ok(res.choices[0].message.content.length > 0, 'auto: text before the call');
			assert.equal(res.choices[0].message.tool_calls[0].function.name, 'get_weather');

			// streams: usage only when asked; the tool call opened with id/name, arguments in fragments
			for (const include of [false, true]) {
				const stream = await c.chat.completions.create({ ...BASE(), tools: [tool], tool_choice: forced, stream: true, stream_options: { include_usage: include } });
				const chunks = [];
				for await (const ch of stream) chunks.push(ch);
				const opening = chunks[0].choices[0].delta.tool_calls[0];
				assert.equal(opening.function.name, 'get_weather');
				assert.match(opening.id, /^call_/);
				const args = chunks.flatMap((ch) => ch.choices[0]?.delta?.tool_calls ?? []).map((t) => t.function?.arguments ?? '').join('');
				assert.deepEqual(JSON.parse(args), SF);
				assert.equal(chunks.findLast((ch) => ch.choices.length).choices[0].finish_reason, 'tool_calls');
				assert.equal(chunks.some((ch) => ch.usage), include);
				if (include) assert.ok(chunks.at(-1).usage.total_tokens > 0);
			}
			const raw = await chat({ ...BASE(), tools: [tool], tool_choice: forced, stream: true });
			assert.ok(raw.text.endsWith('data: [DONE]\n\n'));
		});

		it('refuses broken tool history, unknown roles and foreign fields', async () => {
			const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"SF"}' } };
			const cases = [
				['tool message with an unknown id', [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_2', content: 'x' }], /preceeding message with 'tool_calls'/],
				['tool message without a call', [{ role: 'user', content: 'a' }, { role: 'tool', tool_call_id: 'call_1', content: 'x' }], /preceeding message/],
				['unanswered tool call', [{ role: 'user', content: 'a' }, { role: 'assistant', content: '', tool_calls: [call] }, { role: 'user', content: 'b' }], /did not have response messages: call_1/],
				['role model', [{ role: 'model', content: 'a' }], /Invalid value: 'model'/],
				['arguments an object', [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'x', arguments: {} } }] }, { role: 'tool', tool_call_id: 'call_1', content: 'x' }], /expected a string/],
			];
			for (const [name, messages, re] of cases) {
				const r = await chat({ ...BASE(), messages });
				assert.equal(r.status, 400, `${name}: ${r.text}`);
				assert.match(r.json.error.message, re, name);
				assert.equal(r.json.error.type, 'invalid_request_error');
			}
			for (const [name, body, re] of [
				['top_k', { ...BASE(), top_k: 40 }, /top_k/],
				['Responses-style tool', { ...BASE(), tools: [{ type: 'function', name: 'get_weather', parameters: WEATHER_SCHEMA }] }, /tools\[0\]\.function/],
				['Responses-style tool_choice', { ...BASE(), tools: [tool], tool_choice: { type: 'function', name: 'get_weather' } }, /tool_choice\.function/],
				['tool_choice of an unknown tool', { ...BASE(), tools: [tool], tool_choice: { type: 'function', function: { name: 'nope' } } }, /nope/],
			]) {
				const r = await chat(body);
				assert.equal(r.status, 400, `${name}: ${r.text}`);
				assert.match(r.json.error.message, re, name);
			}
			const ok = await chat({ ...BASE(), messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: '', tool_calls: [call, { ...call, id: 'call_2' }] },
				{ role: 'tool', tool_call_id: 'call_2', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: 'y' }, { role: 'user', content: 'again' }], tools: [tool], tool_choice: forced });
			assert.equal(ok.status, 200, ok.text);
		});
	});

	it('every request is recorded with its answer status; checkRequest agrees with what the fake answered', () => {
		assert.ok(up.requests.length > 50);
		for (const rec of up.requests) {
			assert.equal(typeof rec.status, 'number');
			if (rec.status === 200) assert.equal(checkRequest(rec), null, `${rec.path} ${rec.body.slice(0, 200)}`);
			if (rec.rejected && rec.json) assert.equal(checkRequest(rec), rec.rejected);
		}
	});
});
