// test/integration/engine.test.mjs: the relay engine as a user sees it under
// load, through a real lighttpd: a thousand streams open at once with four
// worker threads, clients that send their bodies slowly or too big, a client
// that stops reading, SIGTERM with hundreds of streams in flight, and the
// memory a huge request leaves behind.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setupRelay, waitFor, sleep } from './relay-lib.mjs';
import { startApp, startGateway, api, rssKiB, tempDir, freePort } from './harness.mjs';

/** A Chat stream of n chunks whose contents are "e0;" … (plus pad), a finish, usage and [DONE]. */
function streamText(n, pad = '') {
  const chunk = (choices, extra = {}) => `data: ${JSON.stringify({
    id: 'chatcmpl-engine', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices, ...extra,
  })}\n\n`;
  let s = '';
  for (let i = 0; i < n; i++) s += chunk([{ index: 0, delta: { content: `e${i};${pad}` }, finish_reason: null }]);
  s += chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
  s += chunk([], { usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: n + 5 } });
  return `${s}data: [DONE]\n\n`;
}

/**
 * One streamed chat request on its own connection. Resolves
 * { status, seq: [indexes of the e<i> contents in arrival order], done, firstByteAt }.
 */
function stream(port, key, model, { onFirstByte } = {}) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent: false,
      headers: { authorization: `Bearer sk-${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const out = { status: res.statusCode, seq: [], done: false, firstByteAt: 0 };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        if (!out.firstByteAt) { out.firstByteAt = Date.now(); onFirstByte?.(); }
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = ev.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data === '[DONE]') { out.done = true; continue; }
          if (!data) continue;
          const c = JSON.parse(data).choices?.[0]?.delta?.content;
          if (c) out.seq.push(Number(/^e(\d+);/.exec(c)[1]));
        }
      });
      res.on('end', () => resolve(out));
      res.on('error', reject);
    });
    req.setTimeout(120000, () => req.destroy(new Error('stream timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const range = (n) => Array.from({ length: n }, (_, i) => i);
// sanitizer builds run slower (contrib/test sets this), and their resident
// size is mostly ASan's quarantine of freed memory
const slow = Number(process.env.ONEAPI_TEST_SLOW || 1);
const sanitized = Boolean(process.env.ASAN_OPTIONS);

/** GET /api/status, timed. */
async function timedStatus(base) {
  const t0 = Date.now();
  const r = await api(base, 'GET', '/api/status');
  return { status: r.status, ms: Date.now() - t0 };
}

describe('1000 concurrent streams, THREADS=4', () => {
  let t;
  let key;
  before(async () => {
    t = await setupRelay({ env: { THREADS: 4 } });
    await t.channel({ models: 'gpt-4o-mini', prefix: 'many' });
    key = (await t.token(null)).key;
    t.up.route('/many', { sseText: streamText(24), gapMs: 300 });
  });
  after(async () => { await t?.stop(); });

  it('every stream completes with every event in order, and /api/status answers meanwhile', async () => {
    let open = 0;
    let firstBytes = 0;
    let maxOpen = 0;
    const ps = range(1000).map(() => stream(t.gw.port, key, 'gpt-4o-mini', {
      onFirstByte: () => { firstBytes++; open++; maxOpen = Math.max(maxOpen, open); },
    }).finally(() => { open--; }));
    await waitFor(() => firstBytes >= 900, 60000, 100);
    const st = await timedStatus(t.base);
    const rs = await Promise.all(ps);
    const bad = rs.filter((r) => r.status !== 200 || !r.done || r.seq.join() !== range(24).join());
    assert.equal(bad.length, 0, `${bad.length} streams wrong, e.g. ${JSON.stringify(bad[0])}`);
    assert.ok(maxOpen >= 900, `only ${maxOpen} streams were open at once`);
    assert.equal(st.status, 200);
    assert.ok(st.ms < 3000 * slow, `GET /api/status took ${st.ms} ms beside 1000 streams`);
    // each stream was billed once
    await waitFor(() => t.num('SELECT COUNT(*) FROM logs WHERE type = 2') === 1000, 10000);
    assert.equal(t.num('SELECT COUNT(*) FROM logs WHERE type = 2'), 1000);
  });
});

/** A raw HTTP exchange that writes parts (strings, Buffers, ms pauses) and resolves on the first response bytes. */
function rawRequest(port, head, { trickle = 0, send = null, max = 30000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const t0 = Date.now();
    let got = '';
    let sent = 0;
    let timer = null;
    const done = (why) => {
      clearInterval(timer);
      sock.destroy();
      const status = Number((/^HTTP\/1\.[01] (\d{3})/.exec(got) || [])[1] || 0);
      resolve({ status, ms: Date.now() - t0, sent, why, text: got });
    };
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n') && /\r\n\r\n[\s\S]*\}/.test(got)) done('answered');
    });
    sock.on('error', () => done('error'));
    sock.on('close', () => done('closed'));
    sock.on('connect', () => {
      sock.write(head);
      if (send) { sock.write(send); sent += send.length; }
      if (trickle) {
        timer = setInterval(() => { if (!sock.destroyed) { sock.write('x'); sent++; } }, trickle);
      }
    });
    setTimeout(() => done('timeout'), max).unref();
  });
}

describe('slow and oversized request bodies', () => {
  let t;
  let gw;
  let key;
  before(async () => {
    t = await setupRelay({ env: { THREADS: 4, REQUEST_READ_TIMEOUT_SEC: 3 } });
    gw = t.gw;
    key = (await t.token(null)).key;
  });
  after(async () => { await t?.stop(); });

  // lighttpd holds small bodies itself until they are complete; past 64 KiB
  // it streams them (stream-request-body = 2), so the app sees the trickle
  it('64 clients sending a byte a second hold no thread, and are cut after REQUEST_READ_TIMEOUT_SEC', async () => {
    const head = 'POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n'
      + `Authorization: Bearer sk-${key}\r\nContent-Length: 300000\r\n\r\n`;
    const first = Buffer.alloc(100000, 0x20);
    const slowOnes = range(64).map(() => rawRequest(gw.port, head, { send: first, trickle: 1000, max: 20000 }));
    await sleep(1000);
    const times = [];
    for (let i = 0; i < 5; i++) {
      const st = await timedStatus(gw.base);
      assert.equal(st.status, 200);
      times.push(st.ms);
    }
    assert.ok(Math.max(...times) < 1000 * slow, `GET /api/status took ${times.join(', ')} ms beside 64 slow bodies`);
    const rs = await Promise.all(slowOnes);
    for (const r of rs) {
      assert.equal(r.status, 408, `${r.why} after ${r.ms} ms: ${r.text.slice(0, 200)}`);
      assert.ok(r.ms >= 2500 && r.ms < 10000 * slow, `cut after ${r.ms} ms`);
      assert.ok(r.sent < 100020, `sent ${r.sent} bytes`);
    }
  });

  it('an anonymous 60 MB body is refused before it is read', async () => {
    const mb = Buffer.alloc(1 << 20, 0x20);
    for (const [path, status] of [['/v1/chat/completions', 401], ['/api/user/login', 413]]) {
      const head = `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n`
        + `Content-Length: ${60 << 20}\r\n\r\n`;
      const r = await rawRequest(gw.port, head, { send: mb, max: 10000 });
      assert.equal(r.status, status, `${path}: ${r.why} ${r.text.slice(0, 300)}`);
      assert.ok(r.sent <= 1 << 20, `${path}: the client had to send ${r.sent} bytes`);
      assert.match(r.text, /"(message|error)"/, `${path}: not JSON: ${r.text.slice(0, 300)}`);
    }
  });
});

describe('a client that stops reading', () => {
  let t;
  let key;
  before(async () => {
    t = await setupRelay({ env: { THREADS: 4, STREAM_WRITE_TIMEOUT_SEC: 3 } });
    await t.channel({ models: 'huge-model', prefix: 'huge' });
    await t.channel({ models: 'gpt-4o-mini', prefix: 'fine' });
    key = (await t.token(null)).key;
    // 16 KiB events without end (1.6 GB): far more than the sockets (tcp_rmem
    // may grow to 32 MiB on loopback) and lighttpd hold
    t.up.route('/huge', { sseText: streamText(1, 'x'.repeat(16384)).split('\n\n')[0] + '\n\n', repeat: 100000 });
    t.up.route('/fine', { sseText: streamText(20), gapMs: 100 });
  });
  after(async () => { await t?.stop(); });

  it('is cut after STREAM_WRITE_TIMEOUT_SEC and its upstream closed, while 100 others go on', async () => {
    const body = JSON.stringify({ model: 'huge-model', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const sock = net.connect(t.gw.port, '127.0.0.1');
    let got = 0;
    sock.on('data', (d) => { got += d.length; if (got > 4096) sock.pause(); });
    sock.on('error', () => {});
    sock.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer sk-${key}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    const t0 = Date.now();
    const others = range(100).map(() => stream(t.gw.port, key, 'gpt-4o-mini'));
    const rs = await Promise.all(others);
    const bad = rs.filter((r) => r.status !== 200 || !r.done || r.seq.join() !== range(20).join());
    assert.equal(bad.length, 0, `${bad.length} of the 100 streams wrong: ${JSON.stringify(bad[0])}`);
    // nothing else would ever close it: no RELAY_TIMEOUT, lighttpd waits 600 s
    const up = await waitFor(() => t.up.requestsTo('/huge').find((q) => q.closedEarlyAt), 60000 * slow, 100);
    sock.destroy();
    assert.ok(up, `the upstream of the stalled stream was never closed (client got ${got} bytes; `
      + `upstream requests ${JSON.stringify(t.up.requestsTo('/huge').map((q) => ({ at: q.at - t0, status: q.status })))})\n`
      + t.gw.log().split('\n').filter((l) => /huge|cut|WARN|ERROR/.test(l)).slice(-15).join('\n'));
    const after = up.closedEarlyAt - t0;
    assert.ok(after >= 3000, `upstream closed ${after} ms after the start`);
  });
});

/** nginx in front of a standalone app, as contrib/nginx.conf sets it up. */
async function startNginx(listen) {
  const dir = tempDir('oneapi-it-nginx-');
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  fastcgi_temp_path ${dir}/fastcgi;
  proxy_temp_path ${dir}/proxy;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { server unix:${listen}; keepalive 8; }
  server {
    listen 127.0.0.1:${port};
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME "";
      fastcgi_param PATH_INFO "";
      fastcgi_pass app;
      fastcgi_keep_conn on;
      fastcgi_buffering off;
      fastcgi_read_timeout 600s;
    }
  }
}
`);
  const proc = spawn('nginx', ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1'); c.on('connect', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); });
    if (ok) break;
    await sleep(50);
  }
  return { base: `http://127.0.0.1:${port}`, stop: () => { proc.kill('SIGTERM'); fs.rmSync(dir, { recursive: true, force: true }); } };
}

// lighttpd learns that its client left only when it next writes to it (a
// stream's heartbeat), nginx at once; the app aborts the upstream as soon
// as its web server closes the connection or sends FCGI_ABORT_REQUEST
describe('a client that hangs up, behind nginx', () => {
  let up;
  let app;
  let ngx;
  let key;
  const AT = 'itest0engine0hangup0access0tok00';
  before(async () => {
    const { startUpstream } = await import('../fake/upstream.mjs');
    up = await startUpstream();
    app = await startApp({ threads: 4, unixSocket: true, env: { INITIAL_ROOT_ACCESS_TOKEN: AT, STREAM_HEARTBEAT_SEC: 30 } });
    ngx = await startNginx(app.listen);
    const root = (method, p, body) => api(ngx.base, method, p, { accessToken: AT, body });
    let r = await root('POST', '/api/channel/', {
      name: 'wait', type: 1, key: 'sk-up', base_url: `${up.base}/wait`, other: '', models: 'gpt-4o-mini',
      group: 'default', priority: 0, weight: 0, model_mapping: '', system_prompt: '', config: '{}',
    });
    assert.equal(r.json?.success, true, r.text);
    r = await root('POST', '/api/token/', { name: 'hangup', remain_quota: 0, unlimited_quota: true, expired_time: -1 });
    assert.equal(r.json?.success, true, r.text);
    key = r.json.data.key;
    // an upstream that thinks for 20 s before its first byte
    up.route('/wait', { firstByteMs: 20000, sseText: streamText(3), gapMs: 10 });
  });
  after(async () => { ngx?.stop(); await app?.stop(); await up?.stop(); });

  for (const streamed of [true, false]) {
    it(`stops its upstream within a second (${streamed ? 'stream' : 'non-stream'})`, async () => {
      up.reset();
      const body = JSON.stringify({ model: 'gpt-4o-mini', stream: streamed, messages: [{ role: 'user', content: 'hi' }] });
      const sock = net.connect(Number(new URL(ngx.base).port), '127.0.0.1');
      sock.on('error', () => {});
      sock.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer sk-${key}\r\n`
        + `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      assert.ok(await waitFor(() => up.requestsTo('/wait').length === 1, 5000), 'the upstream never got the request');
      await sleep(300);
      const left = Date.now();
      sock.destroy();
      const q = await waitFor(() => up.requestsTo('/wait')[0].closedEarlyAt, 5000 * slow, 20);
      assert.ok(q, 'the upstream kept waiting for nobody');
      assert.ok(q - left < 1000 * slow, `upstream closed ${q - left} ms after the client left`);
    });
  }
});

describe('SIGTERM with 500 streams in flight', () => {
  it('every stream finishes, the app exits 0', async () => {
    const { startUpstream } = await import('../fake/upstream.mjs');
    const up = await startUpstream();
    const app = await startApp({ threads: 4, unixSocket: true, env: { INITIAL_ROOT_ACCESS_TOKEN: 'itest0engine0root0access0tok000', SHUTDOWN_TIMEOUT_SEC: 60 } });
    const gw = await startGateway({ backend: `unix:${app.listen}` });
    try {
      const root = (method, p, body) => api(gw.base, method, p, { accessToken: 'itest0engine0root0access0tok000', body });
      let r = await root('POST', '/api/channel/', {
        name: 'drain', type: 1, key: 'sk-up', base_url: `${up.base}/drain`, other: '', models: 'gpt-4o-mini',
        group: 'default', priority: 0, weight: 0, model_mapping: '', system_prompt: '', config: '{}',
      });
      assert.equal(r.json?.success, true, r.text);
      r = await root('POST', '/api/token/', { name: 'drain', remain_quota: 0, unlimited_quota: true, expired_time: -1 });
      assert.equal(r.json?.success, true, r.text);
      let key = r.json.data?.key;
      if (!key) {
        r = await root('GET', '/api/token/?p=0');
        key = r.json.data.find((x) => x.name === 'drain').key;
      }
      up.route('/drain', { sseText: streamText(12), gapMs: 300 });
      let firstBytes = 0;
      const ps = range(500).map(() => stream(gw.port, key, 'gpt-4o-mini', { onFirstByte: () => { firstBytes++; } }));
      await waitFor(() => firstBytes >= 500, 60000, 50);
      app.kill('SIGTERM');
      const rs = await Promise.all(ps);
      const bad = rs.filter((x) => x.status !== 200 || !x.done || x.seq.join() !== range(12).join());
      assert.equal(bad.length, 0, `${bad.length} streams cut by the drain: ${JSON.stringify(bad[0])}`);
      const st = await app.waitExit(30000);
      assert.deepEqual(st, { code: 0, signal: null }, app.output().slice(-2000));
    } finally {
      await gw.stop();
      await app.stop();
      await up.stop();
    }
  });
});

describe('memory after a 60 MB request', () => {
  let t;
  let key;
  before(async () => {
    t = await setupRelay({ env: { THREADS: 4 } });
    await t.channel({ models: 'gpt-4o-mini', prefix: 'mem' });
    key = (await t.token(null)).key;
  });
  after(async () => { await t?.stop(); });

  async function post(body) {
    return api(t.base, 'POST', '/v1/chat/completions', { token: `sk-${key}`, body, timeoutMs: 120000 });
  }

  it('the resident size returns near its level before', { skip: sanitized && 'ASan keeps freed memory in its quarantine' }, async () => {
    const [pid] = t.gw.appPids();
    for (let i = 0; i < 3; i++) await post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'warm up' }] });
    const before = rssKiB(pid);
    // a 60 MB array of small numbers: refused within the parse budget
    const nums = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":[${'1,'.repeat(30 << 20)}1]}`;
    let r = await post(nums);
    assert.equal(r.status, 400, r.text.slice(0, 300));
    assert.match(r.json?.error?.message, /too complex/);
    // a 60 MB prompt: read, parsed, sent upstream, answered
    const big = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'y '.repeat(30 << 20) }] });
    r = await post(big);
    assert.ok(r.status === 200 || r.status === 403, `HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    await sleep(500);
    const afterKiB = rssKiB(pid);
    assert.ok(afterKiB - before < 32 * 1024, `resident ${before} KiB before, ${afterKiB} KiB after`);
  });
});
