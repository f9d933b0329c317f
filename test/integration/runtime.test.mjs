// test/integration/runtime.test.mjs: the runtime as a user sees it (lighttpd, standalone, CGI, flags)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startGateway, startApp, runCgi, runBin, api, login, rawHttp, waitGone, alive, sleep,
} from './harness.mjs';

const LOGIN_BODY = JSON.stringify({ username: 'root', password: '123456' });

/** The One API / OpenAI error envelope for routing errors. */
function assertErrorShape(r, status) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') || '', /application\/json/);
  assert.ok(r.json && typeof r.json.error === 'object', `no error object: ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string');
  assert.equal(r.json.error.type, 'invalid_request_error');
  assert.ok(r.headers.get('x-oneapi-request-id'), 'X-Oneapi-Request-Id missing');
}

/**
 * The app answered a complete request itself (whatever the login outcome):
 * JSON body, its request id, no 5xx from lighttpd for a lost backend.
 */
function assertAppAnswered(r) {
  assert.ok(r.status >= 200 && r.status < 500, r.raw.slice(0, 500));
  assert.ok(r.headers['x-oneapi-request-id'], `no X-Oneapi-Request-Id: ${r.raw.slice(0, 500)}`);
  assert.doesNotThrow(() => JSON.parse(r.body), `not JSON: ${r.body}`);
}

/**
 * A login whose body arrives in two halves `gapMs` apart; `during` runs in
 * the gap, while the app is known to hold the request (lighttpd streams
 * request bodies, so the app has accepted it and waits on stdin).
 */
function slowLogin(port, during, gapMs = 1500) {
  const half = LOGIN_BODY.length >> 1;
  return rawHttp(port, [
    'POST /api/user/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
      + `Content-Length: ${LOGIN_BODY.length}\r\nConnection: close\r\n\r\n`,
    LOGIN_BODY.slice(0, half),
    500, during, gapMs,
    LOGIN_BODY.slice(half),
  ]);
}

describe('through lighttpd (app spawned by bin-path)', () => {
  let gw;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw?.stop(); });

  it('GET /api/status answers success with a request id', async () => {
    const r = await api(gw.base, 'GET', '/api/status');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /application\/json/);
    assert.equal(r.json?.success, true, r.text);
    assert.equal(typeof r.json.message, 'string');
    assert.equal(typeof r.json.data, 'object');
    const id1 = r.headers.get('x-oneapi-request-id');
    assert.ok(id1, 'X-Oneapi-Request-Id missing');
    const r2 = await api(gw.base, 'GET', '/api/status');
    assert.notEqual(r2.headers.get('x-oneapi-request-id'), id1, 'request ids must differ');
  });

  it('unknown path is a 404 JSON error naming method and path', async () => {
    const r = await api(gw.base, 'GET', '/api/no/such/path');
    assertErrorShape(r, 404);
    assert.equal(r.json.error.message, 'Invalid URL (GET /api/no/such/path)');
    const v = await api(gw.base, 'GET', '/v1/no/such');
    assertErrorShape(v, 404);
  });

  it('an unknown page is the HTML 404 page, without the path in it', async () => {
    const r = await api(gw.base, 'GET', '/no/such/<path>');
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<h1>404 Not Found<\/h1>/);
    assert.doesNotMatch(r.text, /such|&lt;path/);
  });

  it('wrong method is a 405 JSON error', async () => {
    const r = await api(gw.base, 'DELETE', '/api/status');
    assertErrorShape(r, 405);
    assert.match(r.headers.get('allow') || '', /\bGET\b/, 'Allow header should name GET');
  });

  it('malformed JSON to /api/user/login is success:false with a message', async () => {
    const r = await api(gw.base, 'POST', '/api/user/login', {
      body: '{"username": "root", "password": ', headers: { 'content-type': 'application/json' },
    });
    // One API answers 200 + success:false; a 400 is fine too. Not 404/5xx.
    assert.ok([200, 400].includes(r.status), `HTTP ${r.status}: ${r.text}`);
    assert.equal(r.json?.success, false, r.text);
    assert.equal(typeof r.json.message, 'string');
    assert.ok(r.json.message.length > 0, 'empty message');
  });

  it('root / 123456 logs in on a fresh database', async () => {
    const cookie = await login(gw.base, 'root', '123456');
    assert.match(cookie, /^session=./);
  });

  it('many concurrent requests all succeed', async () => {
    const rs = await Promise.all(Array.from({ length: 64 }, () => api(gw.base, 'GET', '/api/status')));
    for (const r of rs) assert.equal(r.status, 200);
    assert.equal(new Set(rs.map((r) => r.headers.get('x-oneapi-request-id'))).size, 64);
  });
});

describe('request body limit (MAX_REQUEST_BODY_MB=1)', () => {
  let gw;
  before(async () => { gw = await startGateway({ env: { MAX_REQUEST_BODY_MB: 1 } }); });
  after(async () => { await gw?.stop(); });

  it('a 2 MB body gets 413 and the app keeps serving', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    let r;
    try {
      r = await api(gw.base, 'POST', '/api/user/login', {
        body: big, headers: { 'content-type': 'application/json' },
      });
    } catch (e) {
      assert.fail(`the 413 never reached the client (${e.cause?.code || e.message})`);
    }
    assert.equal(r.status, 413, r.text.slice(0, 300));
    assert.ok(r.headers.get('x-oneapi-request-id'), 'X-Oneapi-Request-Id missing');
    assert.ok(r.json, `413 body is not JSON: ${r.text.slice(0, 300)}`);
    for (let i = 0; i < 3; i++) {
      const ok = await api(gw.base, 'GET', '/api/status');
      assert.equal(ok.status, 200);
      assert.equal(ok.json?.success, true);
    }
  });

  it('an anonymous caller may send 64 KiB, not a byte more', async () => {
    const at = (n) => JSON.stringify({ username: 'root', password: 'x'.repeat(n - 33) });
    assert.equal(at(65536).length, 65536);
    const ok = await api(gw.base, 'POST', '/api/user/login', { body: at(65536) });
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
    assert.equal(ok.json?.success, false, ok.text.slice(0, 300));
    const over = await api(gw.base, 'POST', '/api/user/login', { body: at(65537) });
    assert.equal(over.status, 413, over.text.slice(0, 300));
    assert.match(over.json?.message, /65536 bytes/);
  });

  it('a signed-in caller may send up to MAX_REQUEST_BODY_MB', async () => {
    const cookie = await login(gw.base);
    const body = JSON.stringify({ name: 'big', quota: 0, note: 'x'.repeat(512 * 1024) });
    const r = await api(gw.base, 'POST', '/api/token/', { cookie, body });
    assert.notEqual(r.status, 413, r.text.slice(0, 300));
    assert.equal(r.json?.success, true, r.text.slice(0, 300));
  });
});

describe('SIGTERM (app spawned by lighttpd)', () => {
  let gw;
  before(async () => { gw = await startGateway(); });
  after(async () => { await gw?.stop(); });

  it('the in-flight request completes, then the app exits', async () => {
    const pids = gw.appPids();
    assert.equal(pids.length, 1, `expected one app process, got ${pids}`);
    const [pid] = pids;
    let aliveDuringDrain;
    const r = await slowLogin(gw.port, async () => {
      process.kill(pid, 'SIGTERM');
      await sleep(300);
      aliveDuringDrain = alive(pid);
    });
    assert.equal(aliveDuringDrain, true, 'app exited with a request in flight');
    assertAppAnswered(r);
    assert.ok(await waitGone(pid, 15000), 'app still running 15 s after SIGTERM');
    // lighttpd logs "child exited: N" for a backend it did not kill itself.
    const m = /child exited: (\d+)/.exec(gw.log());
    if (m) assert.equal(m[1], '0', gw.log());
    assert.doesNotMatch(gw.log(), /child signalled/);
    // lighttpd spawns a new app on the next request.
    let ok = null;
    for (let i = 0; i < 50 && ok?.status !== 200; i++) {
      ok = await api(gw.base, 'GET', '/api/status').catch(() => null);
      if (ok?.status !== 200) await sleep(200);
    }
    assert.equal(ok?.status, 200, 'lighttpd did not get a new app process');
  });
});

describe('standalone --listen behind lighttpd', () => {
  it('TCP: serves through an external lighttpd backend; SIGTERM drains and exits 0', async () => {
    const app = await startApp({ threads: 4 });
    let gw;
    try {
      gw = await startGateway({ backend: `tcp:${app.listen}` });
      const r = await api(gw.base, 'GET', '/api/status');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json?.success, true);
      assert.ok(r.headers.get('x-oneapi-request-id'));

      const res = await slowLogin(gw.port, async () => { app.kill('SIGTERM'); });
      assertAppAnswered(res);
      const st = await app.waitExit(15000);
      assert.deepEqual(st, { code: 0, signal: null }, app.output());
    } finally {
      await gw?.stop();
      await app.stop();
    }
  });

  it('unix socket: serves through lighttpd', async () => {
    const app = await startApp({ unixSocket: true });
    let gw;
    try {
      gw = await startGateway({ backend: `unix:${app.listen}` });
      const r = await api(gw.base, 'GET', '/api/status');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json?.success, true);
    } finally {
      await gw?.stop();
      await app.stop();
    }
    assert.deepEqual(await app.waitExit(1000), { code: 0, signal: null }, app.output());
  });
});

describe('plain CGI (fd 0 is not a socket)', () => {
  const cgi = (method, uri, extra = {}) => ({
    REQUEST_METHOD: method, REQUEST_URI: uri, SCRIPT_NAME: '', PATH_INFO: '',
    QUERY_STRING: '', SERVER_NAME: 'localhost', SERVER_PORT: '80', REMOTE_ADDR: '127.0.0.1', ...extra,
  });

  it('GET /api/status prints headers and JSON, exits 0', async () => {
    const r = await runCgi({ env: cgi('GET', '/api/status') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.status, 200, r.stdout);
    if (r.headers.status) assert.match(r.headers.status, /^200\b/);
    assert.match(r.headers['content-type'] || '', /application\/json/, r.stdout);
    assert.ok(r.headers['x-oneapi-request-id'], r.stdout);
    assert.equal(r.json?.success, true, r.stdout);
  });

  it('PATH_INFO wins over REQUEST_URI', async () => {
    const r = await runCgi({ env: cgi('GET', '/cgi-bin/oneapi.fcgi/api/status', { SCRIPT_NAME: '/cgi-bin/oneapi.fcgi', PATH_INFO: '/api/status' }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.status, 200, r.stdout);
    assert.equal(r.json?.success, true, r.stdout);
  });

  it('unknown path gives a Status: 404 line', async () => {
    const r = await runCgi({ env: cgi('GET', '/api/nope') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.headers.status || '', /^404\b/, r.stdout);
    assert.equal(r.json?.error?.message, 'Invalid URL (GET /api/nope)', r.stdout);
  });

  it('POST body on stdin: root logs in and gets a session cookie', async () => {
    const r = await runCgi({
      env: cgi('POST', '/api/user/login', { CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(LOGIN_BODY.length) }),
      input: LOGIN_BODY,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.success, true, r.stdout);
    assert.match(r.stdout, /^Set-Cookie: session=/im);
  });
});

describe('command line', () => {
  it('--version prints a version and exits 0', async () => {
    const r = await runBin(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /\d+\.\d+/);
  });

  it('--help describes --listen and exits 0', async () => {
    const r = await runBin(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /--listen/);
  });

  it('--check-config accepts a good environment', async () => {
    const r = await runBin(['--check-config']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('--check-config rejects THREADS=abc with a clear message, exit 1', async () => {
    const r = await runBin(['--check-config'], { env: { THREADS: 'abc' } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /THREADS/);
  });

  it('an unknown flag is refused', async () => {
    const r = await runBin(['--no-such-flag']);
    assert.notEqual(r.code, 0);
    assert.equal(r.signal, null);
  });
});
