// test/bench/engine.mjs: the relay engine's benchmark (run by contrib/bench,
// or by hand: node test/bench/engine.mjs). Figures, not a test.
//
// One upstream (a child node process) serves every path below, so the
// gateway and the reference meet the same upstream in the same run:
//  (a) STREAMS concurrent streams of EVENTS events GAP_MS apart, through
//      lighttpd + oneapi.fcgi and through nginx proxy_pass (buffering off):
//      completed, first byte p50/p99, CPU per streamed event (web server +
//      app, or nginx, from /proc), resident memory per open stream;
//  (b) CPU per non-stream relayed request at concurrency 1 and 16, against
//      nginx proxy_pass;
//  (c) IDLE connections sending a body that never completes, held while a
//      second client times GET /api/status.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fork, spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startGateway, api, tempDir, freePort, childPids, rssKiB } from '../integration/harness.mjs';


const STREAMS = Number(process.env.ENGINE_STREAMS || 1000);
const EVENTS = Number(process.env.ENGINE_EVENTS || 64);
const GAP_MS = Number(process.env.ENGINE_GAP_MS || 20);
const REQS = Number(process.env.ENGINE_REQS || 3000);
const IDLE = Number(process.env.ENGINE_IDLE || 1000);
const ROOT_AT = 'bench0engine0root0access0tok0000';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const here = path.dirname(fileURLToPath(import.meta.url));

// ---- helpers ---------------------------------------------------------------
function cpuTicks(pids) {
	let t = 0;
	for (const p of pids) {
		try {
			const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
			t += Number(f[11]) + Number(f[12]);	// utime, stime (fields 14, 15)
		} catch { /* gone */ }
	}
	return t;
}
const ms = (ticks) => ticks * 10;	// USER_HZ = 100
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const rssSum = (pids) => pids.reduce((a, p) => a + (rssKiB(p) || 0), 0);

/** One stream; resolves { ok, events, firstByteMs }. */
function openStream(port, urlPath, headers, body, onFirst) {
	return new Promise((resolve) => {
		const t0 = performance.now();
		let first = 0;
		let events = 0;
		let done = false;
		const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, agent: false,
			headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
			let buf = '';
			res.setEncoding('utf8');
			res.on('data', (d) => {
				if (!first) { first = performance.now() - t0; onFirst?.(); }
				buf += d;
				let i;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					const ev = buf.slice(0, i);
					buf = buf.slice(i + 2);
					if (ev.startsWith('data: [DONE]')) done = true;
					else if (ev.startsWith('data: ')) events++;
				}
			});
			res.on('end', () => resolve({ ok: res.statusCode === 200 && done, events, firstByteMs: first }));
			res.on('error', () => resolve({ ok: false, events, firstByteMs: first }));
		});
		req.on('error', () => resolve({ ok: false, events, firstByteMs: first }));
		req.end(body);
	});
}

/** n streams at once: completed, first byte p50/p99, events, the peak of open streams, RSS while open. */
async function streams(port, urlPath, headers, pids, rssPids, n) {
	const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
	let firsts = 0;
	let rssOpen = 0;
	const c0 = cpuTicks(pids());
	const ps = Array.from({ length: n }, () => openStream(port, urlPath, headers, body, () => {
		if (++firsts === n) rssOpen = rssSum(rssPids());
	}));
	const rs = await Promise.all(ps);
	const cpu = ms(cpuTicks(pids()) - c0);
	const fb = rs.filter((r) => r.firstByteMs).map((r) => r.firstByteMs);
	const events = rs.reduce((a, r) => a + r.events, 0);
	return { done: rs.filter((r) => r.ok).length, p50: pct(fb, 0.5), p99: pct(fb, 0.99), events, cpuPerEvent: (cpu * 1000) / events, rssOpen };
}

/** n non-stream requests, conc at a time on kept-alive connections: CPU ms per request. */
async function cpuPerRequest(port, urlPath, headers, pids, n, conc, part = () => []) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
	const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }] });
	const one = () => new Promise((resolve) => {
		const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, agent,
			headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		req.on('error', () => resolve(0));
		req.end(body);
	});
	for (let i = 0; i < 50; i++) await one();	// warm: connections, caches
	const c0 = cpuTicks(pids());
	const p0 = cpuTicks(part());
	let left = n;
	let bad = 0;
	await Promise.all(Array.from({ length: conc }, async () => {
		while (left-- > 0) if ((await one()) !== 200) bad++;
	}));
	const cpu = ms(cpuTicks(pids()) - c0);
	const cpuPart = ms(cpuTicks(part()) - p0);
	agent.destroy();
	return { us: (cpu * 1000) / n, partUs: (cpuPart * 1000) / n, bad };
}

async function startNginx(upPort) {
	const dir = tempDir('oneapi-bench-nginx-');
	fs.mkdirSync(path.join(dir, 'logs'));
	const p = await freePort();
	{
		const conf = `${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    keepalive_requests 1000000;
    upstream up { server 127.0.0.1:${upPort}; keepalive 64; }
    server {
        listen 127.0.0.1:${p} backlog=4096;
        location / {
            proxy_pass http://up;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 600s;
        }
    }
}
`;
		fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
		const proc = spawn('nginx', ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'logs/error.log')], { stdio: 'ignore' });
		return { proc, port: p, dir, pids: () => [proc.pid, ...childPids(proc.pid)], stop: () => { proc.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
	}
}

async function waitHttp(port, urlPath) {
	for (let i = 0; i < 100; i++) {
		const ok = await new Promise((resolve) => {
			const s = net.connect(port, '127.0.0.1');
			s.on('connect', () => { s.destroy(); resolve(true); });
			s.on('error', () => resolve(false));
		});
		if (ok) return;
		await sleep(100);
	}
	throw new Error(`nothing listens on ${port}${urlPath}`);
}

/** IDLE connections whose bodies never complete, while /api/status is timed. */
async function slowBodies(gw, key, n) {
	const socks = [];
	const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer sk-${key}\r\n`
		+ 'Content-Type: application/json\r\nContent-Length: 300000\r\n\r\n{';
	for (let i = 0; i < n; i++) {
		const s = net.connect(gw.port, '127.0.0.1');
		s.on('error', () => {});
		s.on('connect', () => s.write(head));
		socks.push(s);
	}
	await sleep(2000);
	const lat = [];
	let bad = 0;
	for (let i = 0; i < 200; i++) {
		const t0 = performance.now();
		const r = await api(gw.base, 'GET', '/api/status');
		lat.push(performance.now() - t0);
		if (r.status !== 200) bad++;
	}
	const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
	for (const s of socks) s.destroy();
	return { open, p50: pct(lat, 0.5), p99: pct(lat, 0.99), bad };
}

async function main() {
	const upChild = fork(fileURLToPath(import.meta.url), ['upstream'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const upPort = await new Promise((r) => upChild.once('message', r));
	const gw = await startGateway({ env: { INITIAL_ROOT_ACCESS_TOKEN: ROOT_AT, THREADS: process.env.THREADS || 4 } });
	const ngx = await startNginx(upPort);
	try {
		await waitHttp(ngx.port, '/');
		const root = (m, p, b) => api(gw.base, m, p, { accessToken: ROOT_AT, body: b });
		let r = await root('POST', '/api/channel/', { name: 'bench', type: 1, key: 'sk-bench', base_url: `http://127.0.0.1:${upPort}`, models: 'gpt-4o-mini', group: 'default' });
		if (!r.json?.success) throw new Error(`channel: ${r.text}`);
		r = await root('POST', '/api/token/', { name: 'bench', remain_quota: 0, unlimited_quota: true, expired_time: -1 });
		let key = r.json?.data?.key;
		if (!key) key = execFileSync('sqlite3', [gw.dbPath, "SELECT `key` FROM tokens WHERE name = 'bench'"], { encoding: 'utf8' }).trim();
		const auth = { authorization: `Bearer sk-${key}` };
		const ours = () => [gw.lighttpdPid, ...gw.appPids()];
		const appOnly = () => gw.appPids();
		await sleep(500);
		const rest = rssSum(appOnly());

		// (a) streams
		const app = await streams(gw.port, '/v1/chat/completions', auth, ours, appOnly, STREAMS);
		const appRssPer = (app.rssOpen - rest) / STREAMS;
		await sleep(1000);
		const ngxRest = rssSum(ngx.pids());
		const ref = await streams(ngx.port, '/v1/chat/completions', {}, ngx.pids, ngx.pids, STREAMS);
		// (b) non-stream CPU per request
		const rows = [];
		for (const c of [1, 16]) {
			const a = await cpuPerRequest(gw.port, '/v1/chat/completions', auth, ours, REQS, c, appOnly);
			const n = await cpuPerRequest(ngx.port, '/v1/chat/completions', {}, ngx.pids, REQS, c);
			rows.push({ c, a, n });
		}
		// (c) slow bodies held while /api/status is timed
		const idle = await slowBodies(gw, key, IDLE);
		const quiet = await slowBodies(gw, key, 0);

		const f1 = (x) => x.toFixed(1);
		const f0 = (x) => x.toFixed(0);
		console.log(`\nRelay engine: ${STREAMS} streams of ${EVENTS} events ${GAP_MS} ms apart, app THREADS=${process.env.THREADS || 4}, ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores; the upstream is one node process for both\n`);
		console.log('| streams | completed | first byte p50 / p99 | CPU per streamed event | resident memory per open stream |');
		console.log('|---|---|---|---|---|');
		console.log(`| lighttpd + oneapi.fcgi | ${app.done}/${STREAMS} | ${f0(app.p50)} / ${f0(app.p99)} ms | ${f1(app.cpuPerEvent)} µs (web server + app) | ${f1(appRssPer)} KiB (app; ${(rest / 1024).toFixed(1)} MiB at rest) |`);
		console.log(`| nginx proxy_pass, buffering off | ${ref.done}/${STREAMS} | ${f0(ref.p50)} / ${f0(ref.p99)} ms | ${f1(ref.cpuPerEvent)} µs | ${f1((ref.rssOpen - ngxRest) / STREAMS)} KiB (nginx; ${(ngxRest / 1024).toFixed(1)} MiB at rest) |`);
		console.log(`| ratio | | ${(app.p50 / ref.p50).toFixed(2)}x p50 | ${(app.cpuPerEvent / ref.cpuPerEvent).toFixed(2)}x | |`);
		console.log(`\nNon-stream relay, CPU per request over ${REQS} requests (web server + app, against nginx proxy_pass to the same upstream)\n`);
		console.log('| concurrency | lighttpd + oneapi.fcgi | nginx proxy_pass | ratio |');
		console.log('|---|---|---|---|');
		for (const { c, a, n } of rows) console.log(`| ${c} | ${f0(a.us)} µs (app ${f0(a.partUs)} µs)${a.bad ? ` (${a.bad} failed)` : ''} | ${f0(n.us)} µs${n.bad ? ` (${n.bad} failed)` : ''} | ${(a.us / n.us).toFixed(2)}x |`);
		console.log(`\nGET /api/status while ${IDLE} connections hold a body that never completes (authorised, Content-Length 300000, 1 byte sent)\n`);
		console.log('| | connections still open | p50 | p99 | failed |');
		console.log('|---|---|---|---|---|');
		console.log(`| with ${IDLE} slow bodies | ${idle.open} | ${idle.p50.toFixed(2)} ms | ${idle.p99.toFixed(2)} ms | ${idle.bad} |`);
		console.log(`| without | - | ${quiet.p50.toFixed(2)} ms | ${quiet.p99.toFixed(2)} ms | ${quiet.bad} |`);
	} finally {
		ngx.stop();
		await gw.stop();
		upChild.kill();
	}
}

// ---- the upstream, in its own process ------------------------------------
function upstream() {
	const head = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
	const evs = [];
	for (let i = 0; i < EVENTS; i++) evs.push(Buffer.from(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`));
	const tail = Buffer.from(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`
		+ `data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 10, completion_tokens: EVENTS, total_tokens: 10 + EVENTS } })}\n\n`
		+ 'data: [DONE]\n\n');
	const json = JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } });
	// one timer for every stream: each gets its next event every GAP_MS
	const live = new Set();
	setInterval(() => {
		for (const s of live) {
			if (s.res.destroyed) { live.delete(s); continue; }
			s.res.write(evs[s.i++]);
			if (s.i === evs.length) { s.res.end(tail); live.delete(s); }
		}
	}, GAP_MS);
	const srv = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c) => { body += c; });
		req.on('end', () => {
			if (!body.includes('"stream":true')) {
				res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
				res.end(json);
				return;
			}
			res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
			res.write(evs[0]);
			live.add({ res, i: 1 });
		});
	});
	srv.keepAliveTimeout = 60000;
	srv.maxHeadersCount = 0;
	srv.listen(0, '127.0.0.1', () => process.send(srv.address().port));
	process.on('disconnect', () => process.exit(0));
}


if (process.argv[2] === 'upstream') upstream();
else await main();
