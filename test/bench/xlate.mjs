// test/bench/xlate.mjs: what format translation costs (issue 4's benchmark;
// run by contrib/bench, or by hand: node test/bench/xlate.mjs).
//
// A gateway (lighttpd + oneapi.fcgi, as the integration tests start it) in
// front of a local upstream that streams EVENTS events GAP_MS apart, as
// OpenAI Chat or as Anthropic Messages. Four paths:
//   chat -> openai      pass-through (the reference)
//   claude -> anthropic pass-through (the reference)
//   claude -> openai    translated
//   chat -> anthropic   translated
// For each: the time from the upstream writing its first event to the client
// reading the first byte (added time to first byte), and per event the time
// from the upstream's write to the client's read (added per-event latency),
// p50/p99 over all events of RUNS streams; then the app's CPU time (utime +
// stime from /proc) per non-stream request over CPU_REQS requests.
import http from 'node:http';
import fs from 'node:fs';
import { setupRelay } from '../integration/relay-lib.mjs';

const EVENTS = Number(process.env.XLATE_EVENTS || 64);
const GAP_MS = Number(process.env.XLATE_GAP_MS || 20);
const RUNS = Number(process.env.XLATE_RUNS || 5);
// CPU is read in 10 ms ticks: enough requests keep that under a few percent
const CPU_REQS = Number(process.env.XLATE_CPU_REQS || 3000);

const now = () => Number(process.hrtime.bigint()) / 1e6;	// ms, one clock for both ends
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the upstream --------------------------------------------------------
let sent = [];	// write times of the current stream's content events

function chatEvents() {
	const head = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
	const ev = [{ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
	for (let i = 0; i < EVENTS; i++) ev.push({ ...head, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] });
	ev.push({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
	ev.push({ ...head, choices: [], usage: { prompt_tokens: 10, completion_tokens: EVENTS, total_tokens: 10 + EVENTS } });
	return ev.map((e) => `data: ${JSON.stringify(e)}\n\n`).concat(['data: [DONE]\n\n']);
}

function claudeEvents() {
	const e = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
	const out = [e('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
		e('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })];
	for (let i = 0; i < EVENTS; i++) out.push(e('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `w${i} ` } }));
	out.push(e('content_block_stop', { index: 0 }),
		e('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: EVENTS } }),
		e('message_stop', {}));
	return out;
}

const chatJson = JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } });
const claudeJson = JSON.stringify({ id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [{ type: 'text', text: 'Hello there.' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 3 } });

async function streamOut(res, events, firstContent) {
	res.writeHead(200, { 'Content-Type': 'text/event-stream' });
	sent = [];
	for (let i = 0; i < events.length; i++) {
		if (i > 0) await sleep(GAP_MS);
		if (i >= firstContent && i < firstContent + EVENTS) sent.push(now());
		res.write(events[i]);
	}
	res.end();
}

const upstream = http.createServer((req, res) => {
	let body = '';
	req.on('data', (c) => { body += c; });
	req.on('end', () => {
		const j = JSON.parse(body || '{}');
		const claude = req.url.includes('/v1/messages');
		if (!j.stream) {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(claude ? claudeJson : chatJson);
			return;
		}
		void streamOut(res, claude ? claudeEvents() : chatEvents(), 2 - (claude ? 0 : 1));
	});
});
upstream.keepAliveTimeout = 30000;

// ---- the client ----------------------------------------------------------
// Read a streamed answer; the arrival time of each event carrying a text delta.
async function readStream(url, headers, body) {
	const t0 = now();
	const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
	if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
	const arrivals = [];
	let firstByte = null;
	let buf = '';
	const dec = new TextDecoder();
	for await (const chunk of res.body) {
		const t = now();
		if (firstByte === null) firstByte = t;
		buf += dec.decode(chunk, { stream: true });
		let i;
		while ((i = buf.indexOf('\n\n')) >= 0) {
			const ev = buf.slice(0, i);
			buf = buf.slice(i + 2);
			if (/"(content|text)":"w\d+ "/.test(ev)) arrivals.push(t);
		}
	}
	return { t0, firstByte, arrivals };
}

const pct = (a, p) => {
	const s = [...a].sort((x, y) => x - y);
	return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};

function cpuMs(pids) {
	let ticks = 0;
	for (const p of pids) {
		try {
			const st = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
			const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
			ticks += Number(f[11]) + Number(f[12]);	// utime, stime
		} catch { /* gone */ }
	}
	return ticks * 10;	// USER_HZ = 100
}

await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const upBase = `http://127.0.0.1:${upstream.address().port}`;
const ctx = await setupRelay();
try {
	const add = async (name, type, models) => {
		const r = await ctx.root('POST', '/api/channel/', { name, type, key: 'sk-up', base_url: `${upBase}/${name}`, other: '', models, group: 'default', config: '{}' });
		if (!r.json?.success) throw new Error(r.text);
	};
	await add('oc', 1, 'gpt-4o-mini');
	await add('an', 14, 'claude-haiku-4-5');
	const tok = await ctx.token(null, {});
	const key = `sk-${tok.key}`;
	const chatH = { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` };
	const claudeH = { 'Content-Type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' };
	const msgs = [{ role: 'user', content: 'Count.' }];
	const paths = [
		['chat -> openai (pass-through)', '/v1/chat/completions', chatH, { model: 'gpt-4o-mini', messages: msgs }],
		['claude -> anthropic (pass-through)', '/v1/messages', claudeH, { model: 'claude-haiku-4-5', max_tokens: 100, messages: msgs }],
		['claude -> openai (translated)', '/v1/messages', claudeH, { model: 'gpt-4o-mini', max_tokens: 100, messages: msgs }],
		['chat -> anthropic (translated)', '/v1/chat/completions', chatH, { model: 'claude-haiku-4-5', messages: msgs }],
	];
	const pids = ctx.gw.appPids();
	const rows = [];
	for (const [name, path, headers, body] of paths) {
		const ttfb = [];
		const per = [];
		for (let i = 0; i < RUNS; i++) {
			const s = await readStream(ctx.base + path, headers, { ...body, stream: true });
			if (s.arrivals.length !== EVENTS) throw new Error(`${name}: ${s.arrivals.length} of ${EVENTS} events arrived`);
			ttfb.push(s.arrivals[0] - sent[0]);
			s.arrivals.forEach((t, k) => per.push(t - sent[k]));
		}
		// CPU per non-stream request
		for (let i = 0; i < 20; i++) await fetch(ctx.base + path, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) => r.arrayBuffer());
		const c0 = cpuMs(pids);
		const w0 = now();
		for (let i = 0; i < CPU_REQS; i++) {
			const r = await fetch(ctx.base + path, { method: 'POST', headers, body: JSON.stringify(body) });
			await r.arrayBuffer();
			if (r.status !== 200) throw new Error(`${name}: status ${r.status}`);
		}
		const cpu = (cpuMs(pids) - c0) / CPU_REQS;
		rows.push({ name, ttfb50: pct(ttfb, 0.5), per50: pct(per, 0.5), per99: pct(per, 0.99), cpu, wall: (now() - w0) / CPU_REQS });
	}
	console.log(`\nFormat translation: ${EVENTS} events ${GAP_MS} ms apart, ${RUNS} streams per path; CPU over ${CPU_REQS} non-stream requests (app processes ${pids.join(',') || '?'})\n`);
	console.log('| Path | first event, upstream write -> client read (p50) | per event p50 / p99 | app CPU per request | wall per request |');
	console.log('|------|------|------|------|------|');
	for (const r of rows) {
		console.log(`| ${r.name} | ${r.ttfb50.toFixed(2)} ms | ${r.per50.toFixed(2)} / ${r.per99.toFixed(2)} ms | ${r.cpu.toFixed(3)} ms | ${r.wall.toFixed(2)} ms |`);
	}
	// each translated path against both pass-throughs it shares a side with
	const pctOf = (a, b) => `${(100 * (rows[a].cpu - rows[b].cpu) / rows[b].cpu).toFixed(0)}%`;
	console.log(`\ntranslation CPU over pass-through: claude->openai ${pctOf(2, 1)} vs claude pass-through, ${pctOf(2, 0)} vs chat pass-through; chat->anthropic ${pctOf(3, 0)} vs chat pass-through, ${pctOf(3, 1)} vs claude pass-through`);
	console.log(`added first-event time vs pass-through: claude->openai ${(rows[2].ttfb50 - rows[0].ttfb50).toFixed(2)} ms, chat->anthropic ${(rows[3].ttfb50 - rows[1].ttfb50).toFixed(2)} ms`);
} finally {
	await ctx.stop();
	upstream.closeAllConnections?.();
	upstream.close();
}
