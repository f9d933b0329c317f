// test/integration/fastcgi.test.mjs: the app's own FastCGI side, spoken to
// directly as a web server would (nginx with fastcgi_keep_conn, Apache's
// mod_proxy_fcgi): records split anywhere, kept connections, management
// records, a second request on a busy connection, an abort.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startApp, sleep } from './harness.mjs';

const BEGIN = 1, ABORT = 2, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, GET_VALUES = 9, VALUES_RESULT = 10, UNKNOWN = 11;

function record(type, id, content = Buffer.alloc(0)) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.from([1, type, id >> 8, id & 255, content.length >> 8, content.length & 255, pad, 0]);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
}

function nv(pairs) {
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([(n >>> 24) | 0x80, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
  return Buffer.concat(Object.entries(pairs).flatMap(([k, v]) => [len(Buffer.byteLength(k)), len(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)]));
}

/** The records of one request: BEGIN, PARAMS (split in two), empty PARAMS, STDIN, empty STDIN. */
function request(id, params, body = '', { keep = true } = {}) {
  const p = nv({ GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', CONTENT_LENGTH: String(Buffer.byteLength(body)), ...params });
  const half = p.length >> 1;
  const parts = [record(BEGIN, id, Buffer.from([0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0])),
    record(PARAMS, id, p.subarray(0, half)), record(PARAMS, id, p.subarray(half)), record(PARAMS, id)];
  if (body) parts.push(record(STDIN, id, Buffer.from(body)));
  parts.push(record(STDIN, id));
  return Buffer.concat(parts);
}

/** A FastCGI connection that collects records. */
function connect(listen) {
  const sock = net.connect(listen);
  let buf = Buffer.alloc(0);
  const recs = [];
  const waiters = [];
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 8) {
      const len = buf.readUInt16BE(4);
      const total = 8 + len + buf[6];
      if (buf.length < total) break;
      recs.push({ type: buf[1], id: buf.readUInt16BE(2), content: buf.subarray(8, 8 + len) });
      buf = buf.subarray(total);
    }
    for (const w of waiters.splice(0)) w();
  });
  let closed = false;
  sock.on('close', () => { closed = true; for (const w of waiters.splice(0)) w(); });
  sock.on('error', () => {});
  const until = async (pred, ms = 5000) => {
    const end = Date.now() + ms;
    while (!pred() && !closed && Date.now() < end) await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    return pred();
  };
  return {
    sock, recs, until,
    get closed() { return closed; },
    /** The STDOUT of request id once its END_REQUEST came: { status, head, body, end }. */
    async response(id, ms) {
      assert.ok(await until(() => recs.some((r) => r.type === END && r.id === id), ms), `no END_REQUEST for ${id}`);
      const out = Buffer.concat(recs.filter((r) => r.type === STDOUT && r.id === id).map((r) => r.content)).toString();
      const end = recs.find((r) => r.type === END && r.id === id);
      const i = out.indexOf('\r\n\r\n');
      return { status: Number(/^Status: (\d+)/.exec(out)?.[1]), head: out.slice(0, i), body: out.slice(i + 4), end };
    },
  };
}

const status = { REQUEST_METHOD: 'GET', REQUEST_URI: '/api/status', QUERY_STRING: '' };

describe('FastCGI spoken directly', () => {
  let app;
  before(async () => { app = await startApp({ threads: 2, unixSocket: true }); });
  after(async () => { await app?.stop(); });

  it('serves requests one after another on a kept connection, records split anywhere', async () => {
    const c = connect(app.listen);
    // seven bytes at a time: record boundaries fall mid-write, and the
    // answer may leave before the request's last (empty STDIN) record came
    const split = async (buf) => {
      for (let i = 0; i < buf.length; i += 7) { c.sock.write(buf.subarray(i, i + 7)); await sleep(1); }
    };
    await split(request(1, status));
    const a = await c.response(1);
    await split(request(2, status));
    const b = await c.response(2);
    for (const r of [a, b]) {
      assert.equal(r.status, 200, r.head);
      assert.equal(JSON.parse(r.body).success, true);
      assert.equal(r.end.content.readUInt32BE(0), 0);
      assert.equal(r.end.content[4], 0, 'protocolStatus REQUEST_COMPLETE');
    }
    assert.equal(c.closed, false, 'a kept connection was closed');
    c.sock.destroy();
  });

  it('closes the connection after a request without FCGI_KEEP_CONN', async () => {
    const c = connect(app.listen);
    c.sock.write(request(1, status, '', { keep: false }));
    const r = await c.response(1);
    assert.equal(r.status, 200);
    assert.ok(await c.until(() => c.closed), 'connection left open');
  });

  it('answers GET_VALUES and refuses a second request on a busy connection', async () => {
    const c = connect(app.listen);
    c.sock.write(record(GET_VALUES, 0, nv({ FCGI_MAX_CONNS: '', FCGI_MPXS_CONNS: '', OTHER: '' })));
    assert.ok(await c.until(() => c.recs.some((r) => r.type === VALUES_RESULT)));
    const v = c.recs.find((r) => r.type === VALUES_RESULT).content.toString('latin1');
    assert.match(v, /FCGI_MPXS_CONNS0/);
    assert.match(v, /FCGI_MAX_CONNS\d+/);
    assert.doesNotMatch(v, /OTHER/);
    // an unknown management record gets UNKNOWN_TYPE
    c.sock.write(record(42, 0));
    assert.ok(await c.until(() => c.recs.some((r) => r.type === UNKNOWN)));
    // request 1 waits for its body; request 2 on the same connection is refused
    const body = JSON.stringify({ username: 'root', password: 'wrong' });
    c.sock.write(request(1, { REQUEST_METHOD: 'POST', REQUEST_URI: '/api/user/login', CONTENT_TYPE: 'application/json' }, body).subarray(0, -8 - 8 - body.length - ((8 - (body.length % 8)) % 8)));
    await sleep(100);
    c.sock.write(record(BEGIN, 2, Buffer.from([0, 1, 1, 0, 0, 0, 0, 0])));
    const r2 = await c.response(2);
    assert.equal(r2.end.content[4], 1, 'protocolStatus CANT_MPX_CONN');
    // the first one goes on once its body arrives
    c.sock.write(Buffer.concat([record(STDIN, 1, Buffer.from(body)), record(STDIN, 1)]));
    const r1 = await c.response(1);
    assert.equal(r1.status, 200);
    assert.equal(JSON.parse(r1.body).success, false);
    c.sock.destroy();
  });

  it('drops a request the web server aborts', async () => {
    const c = connect(app.listen);
    const head = request(1, { REQUEST_METHOD: 'POST', REQUEST_URI: '/api/user/login', CONTENT_TYPE: 'application/json', CONTENT_LENGTH: '100' });
    c.sock.write(head.subarray(0, head.length - 8));	// everything but the empty STDIN
    await sleep(100);
    c.sock.write(record(ABORT, 1));
    assert.ok(await c.until(() => c.closed), 'the connection of an aborted request stays open');
    // and the app serves on
    const d = connect(app.listen);
    d.sock.write(request(1, status));
    assert.equal((await d.response(1)).status, 200);
    d.sock.destroy();
  });

  it('refuses what is not FastCGI 1.0 by closing the connection', async () => {
    const c = connect(app.listen);
    c.sock.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.ok(await c.until(() => c.closed));
    assert.equal(c.recs.length, 0);
  });
});
