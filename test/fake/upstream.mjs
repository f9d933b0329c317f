// test/fake/upstream.mjs: a fake model provider for the integration tests and
// benchmarks. It answers with the recorded provider traffic in
// test/fixtures/recorded/ byte for byte, records every request it receives,
// and can be told to misbehave.
//
//   import { startUpstream } from './upstream.mjs';
//   const up = await startUpstream();           // up.base = "http://127.0.0.1:PORT"
//   up.script([{ status: 429, json: {...} }]);  // next answers, first in first out
//   up.route('/ch2', { status: 500, json: {...} }); // every answer under a prefix (reset() keeps routes; unroute/unrouteAll)
//   up.requests                                  // [{method, path, headers, body, json, at, closedEarlyAt, status, rejected?, warnings?}]
//   up.requestsTo('/ch2')                        // the requests under a prefix
//   await up.stop();
//
// Any path prefix is accepted (channels point at base + "/ch1" etc.), so one
// server can stand in for several channels; requests record the prefix.
//
// A scripted answer is an object:
//   { status, json }                 JSON body with that status
//   { status, text, type }           raw body (e.g. HTML garbage)
//   { fixture, status?, type? }      a recorded file, sent as is
//   { sse: 'file.sse', gapMs }       a recorded stream, one event every gapMs
//   { firstByteMs }                  (any answer) wait before the status line
//   { resetAfterEvents: N }          (sse) destroy the socket after N events
// A route (up.route(prefix, answer)) answers every request whose path starts
// with prefix + "/" until up.unroute(prefix); answer may also be a function
// (req, json) => answer, e.g. (req, json) => ({ ...defaultAnswer(req, json), gapMs: 150 }).
// The script queue goes first, then routes, then the defaults.
// Extra answer fields: { sse, gapMs, gapsMs: [ms, ...] } per-event gaps;
// { hang: true } never answers (the connection stays open until stop());
// { sseText, repeat: N } the stream's events N times over, written as fast as
// the peer takes them;
// { headers: {...} } extra response headers; { sseText, type? } a stream given
// as text (instead of a file), split into events and paced like a recording.
// Without a script: chat completions (stream or not, tools or not),
// embeddings and models answer from the recordings; the provider-native
// endpoints (Anthropic …/v1/messages and …/v1/messages/count_tokens, OpenAI
// …/v1/responses, Gemini …/models/M:generateContent and
// …:streamGenerateContent?alt=sse) and Chat requests the recordings cannot
// answer (forced tool_choice, json_schema, images, tools other than
// get_capital) are checked like the real APIs check them and answered in the
// recorded shapes by ./providers.mjs (see there). Each recorded request also
// gets `status` (the answer's HTTP status), `rejected` (the provider's error
// message when it refused the request) and `warnings` (accepted, but dubious).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerAnswer, checkRequest } from './providers.mjs';

export { checkRequest };

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../fixtures/recorded');

export function fixture(name) {
	return fs.readFileSync(path.join(FIXTURES, name));
}

// Split a recorded SSE file into its events, keeping each event's bytes
// (terminator included) exactly as recorded.
export function sseEvents(buf) {
	const s = buf.toString('latin1');
	const out = [];
	const re = /(\r\n\r\n|\n\n|\r\r)/g;
	let last = 0;
	let m;
	while ((m = re.exec(s)) !== null) {
		out.push(Buffer.from(s.slice(last, m.index + m[0].length), 'latin1'));
		last = m.index + m[0].length;
	}
	if (last < s.length) out.push(Buffer.from(s.slice(last), 'latin1'));
	return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function defaultAnswer(req, json) {
	const native = providerAnswer(req, json);
	if (native) return native;
	const p = req.url.split('?')[0];
	if (p.endsWith('/chat/completions')) {
		const tools = json && Array.isArray(json.tools) && json.tools.length > 0;
		if (json && json.stream) return { sse: tools ? 'openai-chat-stream-tools.sse' : 'openai-chat-stream-text.sse', gapMs: 0 };
		return { fixture: tools ? 'openai-chat-nonstream-parallel-tools.json' : 'openai-chat-nonstream.json' };
	}
	if (p.endsWith('/embeddings')) return { fixture: 'openai-embeddings-truncated.json' };
	if (p.endsWith('/models')) return { json: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'system' }] } };
	return { status: 404, json: { error: { message: 'Unknown request URL', type: 'invalid_request_error', param: null, code: 'unknown_url' } } };
}

async function answer(res, a, req) {
	if (a.firstByteMs) await sleep(a.firstByteMs);
	if (a.hang) return;
	if (a.sse || a.sseText !== undefined) {
		res.writeHead(a.status || 200, { 'Content-Type': a.type || 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', ...a.headers });
		const once = sseEvents(a.sseText !== undefined ? Buffer.from(a.sseText) : fixture(a.sse));
		// { repeat: N }: the events N times over, written as fast as the
		// peer reads them (a stream longer than any socket buffer)
		const events = a.repeat ? { length: once.length * a.repeat } : once;
		for (let i = 0; i < events.length; i++) {
			if (a.repeat) {
				if (res.destroyed) return;
				if (!res.write(once[i % once.length])) {
					await new Promise((r) => {
						const go = () => { res.off('drain', go); res.off('close', go); r(); };
						res.on('drain', go);
						res.on('close', go);
					});
				}
				continue;
			}
			if (a.resetAfterEvents !== undefined && i >= a.resetAfterEvents) {
				// what was written must reach the peer before the cut: wait
				// for the kernel to take it, and a little more
				await sleep(50);
				req.socket.destroy();
				return;
			}
			const gap = a.gapsMs ? a.gapsMs[i - 1] : a.gapMs;
			if (i > 0 && gap) await sleep(gap);
			if (res.destroyed) return;
			if (a.resetAfterEvents !== undefined) await new Promise((r) => res.write(events[i], () => r()));
			else res.write(events[i]);
		}
		res.end();
		return;
	}
	if (a.fixture) {
		res.writeHead(a.status || 200, { 'Content-Type': a.type || 'application/json', ...a.headers });
		res.end(fixture(a.fixture));
		return;
	}
	if (a.text !== undefined) {
		res.writeHead(a.status || 200, { 'Content-Type': a.type || 'text/html', ...a.headers });
		res.end(a.text);
		return;
	}
	res.writeHead(a.status || 200, { 'Content-Type': 'application/json', ...a.headers });
	res.end(JSON.stringify(a.json ?? {}));
}

export async function startUpstream({ port = 0 } = {}) {
	const queue = [];
	const requests = [];
	const routes = new Map();
	const routed = (req, json) => {
		const p = req.url.split('?')[0];
		let best = null;
		for (const prefix of routes.keys()) {
			if (p.startsWith(prefix + '/') && (!best || prefix.length > best.length)) best = prefix;
		}
		if (best === null) return null;
		const a = routes.get(best);
		return typeof a === 'function' ? a(req, json) : a;
	};
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks).toString('utf8');
			let json = null;
			try { json = body ? JSON.parse(body) : null; } catch { json = null; }
			const rec = { method: req.method, path: req.url, headers: req.headers, body, json, at: Date.now(), closedEarlyAt: null };
			requests.push(rec);
			// the caller hung up before the whole answer was written
			res.on('close', () => { if (!res.writableFinished) rec.closedEarlyAt = Date.now(); });
			const a = queue.length ? queue.shift() : (routed(req, json) ?? defaultAnswer(req, json));
			rec.status = a.hang ? null : (a.status || 200);
			if (a.rejected) rec.rejected = a.rejected;
			if (a.warnings?.length) rec.warnings = a.warnings;
			try { await answer(res, a, req); } catch { req.socket.destroy(); }
		});
	});
	server.keepAliveTimeout = 30000;
	await new Promise((r) => server.listen(port, '127.0.0.1', r));
	const base = `http://127.0.0.1:${server.address().port}`;
	return {
		base,
		requests,
		script(list) { queue.push(...list); },
		route(prefix, a) { routes.set(prefix, a); },
		unroute(prefix) { routes.delete(prefix); },
		requestsTo(prefix) { return requests.filter((r) => r.path.startsWith(prefix + '/')); },
		reset() { queue.length = 0; requests.length = 0; },
		unrouteAll() { routes.clear(); },
		stop() {
			server.closeAllConnections?.();
			return new Promise((r) => server.close(r));
		},
	};
}

// `node test/fake/upstream.mjs [port]`: run standalone (benchmarks, by hand).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const up = await startUpstream({ port: Number(process.argv[2] || 0) });
	console.log(up.base);
}
