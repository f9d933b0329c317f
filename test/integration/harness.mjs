// test/integration/harness.mjs: start oneapi.fcgi behind a real lighttpd and talk HTTP to it
//
// Used by every integration test (node:test, Node 20, global fetch). Each
// gateway gets its own temp dir, SQLite file, free loopback port and lighttpd
// config rendered from contrib/lighttpd.conf.in by contrib/lighttpd-conf, the
// same renderer contrib/run uses. Nothing outlives the test process: stop()
// waits for lighttpd and the app to exit, and an exit hook SIGKILLs leftovers.
//
// Environment:
//   ONEAPI_BIN        binary under test (default <repo>/oneapi.fcgi); contrib/test
//                     points it at the sanitizer build to rerun the same tests
//   ONEAPI_TEST_SLOW  multiplier for start/stop deadlines (sanitizer builds)
//   ONEAPI_KEEP_DIRS  keep temp dirs (logs, DB) for inspection
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.resolve(process.env.ONEAPI_BIN || path.join(repoRoot, 'oneapi.fcgi'));
const slow = Number(process.env.ONEAPI_TEST_SLOW || 1);
const keepDirs = !!process.env.ONEAPI_KEEP_DIRS;

// What a sanitizer prints when it finds something: such a line in any log
// of the app fails the test that owns the app.
const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer/;

// Every process we start, so a crashing test run still cleans up.
const live = new Set();
function killAll() {
  for (const pid of live) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
// A signal ends node without 'exit' handlers: clean up, then die as asked.
for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.once(sig, () => { killAll(); process.exit(128 + n); });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temp dir for one gateway/app. */
export function tempDir(prefix = 'oneapi-it-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The environment a gateway process starts with: a clean base (so a
 * developer's SQL_DSN or DEBUG does not leak into tests), the sanitizer
 * settings of the caller, our test defaults, then the test's own `env`
 * (a value of undefined removes a variable).
 */
export function appEnv(dir, env = {}, threads) {
  const base = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) {
    if (process.env[k] !== undefined) base[k] = process.env[k];
  }
  const out = {
    ...base,
    SQLITE_PATH: path.join(dir, 'one-api.db'),
    SESSION_SECRET: 'integration-test-secret',
    THREADS: String(threads ?? 4),
    // Tests log in often from one IP; One API's critical rate limit (20/20 min) would bite.
    CRITICAL_RATE_LIMIT: '1000',
    GLOBAL_API_RATE_LIMIT: '100000',
    GLOBAL_WEB_RATE_LIMIT: '100000',
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

/** Pids whose parent is `ppid` (from /proc, no pgrep needed). */
export function childPids(ppid) {
  const out = [];
  for (const ent of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${ent}/stat`, 'utf8'); } catch { continue; }
    // Fields after the ")" that closes comm: state ppid ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[1]) === ppid && rest[0] !== 'Z') out.push(Number(ent));
  }
  return out;
}

/** True while `pid` exists and is not a zombie (PID 1 here may never reap). */
export function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Wait until `pid` has exited; false if it is still there after `ms`. */
export async function waitGone(pid, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await sleep(50);
  }
  return !alive(pid);
}

/** Resident memory of a process in KiB (VmRSS), or null. */
export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Throw if `text` holds a sanitizer report, or if the sanitizers wrote one
 * to a file for one of `pids` (contrib/test sets log_path=PREFIX in
 * ASAN_OPTIONS/UBSAN_OPTIONS, and reports go to PREFIX.<pid>).
 */
function checkSanitizer(text, what, pids = []) {
  const m = SANITIZER_RE.exec(text);
  if (m) {
    const at = Math.max(0, m.index - 200);
    throw new Error(`sanitizer report in ${what}:\n${text.slice(at, at + 4000)}`);
  }
  for (const v of ['ASAN_OPTIONS', 'UBSAN_OPTIONS']) {
    const prefix = /(?:^|:)log_path=([^:]+)/.exec(process.env[v] || '')?.[1];
    if (!prefix) continue;
    for (const pid of pids) {
      const f = `${prefix}.${pid}`;
      if (fs.existsSync(f)) {
        throw new Error(`sanitizer report from ${what} (pid ${pid}), ${f}:\n${fs.readFileSync(f, 'utf8').slice(0, 4000)}`);
      }
    }
  }
}

/** Poll GET base/api/status until it answers 200, or throw after `ms`. */
export async function waitReady(base, ms, isDead = () => null) {
  const end = Date.now() + ms;
  let last = 'no answer';
  while (Date.now() < end) {
    const dead = isDead();
    if (dead) throw new Error(dead);
    try {
      const res = await fetch(`${base}/api/status`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(100);
  }
  throw new Error(`${base}/api/status not ready after ${ms} ms (${last})`);
}

/**
 * Render the lighttpd config for a gateway with contrib/lighttpd-conf.
 * `backend` is "spawn" (lighttpd starts ONEAPI_BIN) or "tcp:HOST:PORT" /
 * "unix:PATH" for an app started separately. Returns the config path.
 */
export function renderLighttpdConf({ dir, port, env, backend = 'spawn' }) {
  const conf = execFileSync(path.join(repoRoot, 'contrib/lighttpd-conf'), [], {
    env: {
      ...env,
      PORT: String(port),
      RUNDIR: path.join(dir, 'run'),
      ERRORLOG: path.join(dir, 'lighttpd.log'),
      ONEAPI_BIN: binPath,
      ONEAPI_BACKEND: backend,
    },
    encoding: 'utf8',
  });
  fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  const file = path.join(dir, 'lighttpd.conf');
  fs.writeFileSync(file, conf, { mode: 0o600 });
  return file;
}

/**
 * Start lighttpd -D on a free loopback port with the app behind it.
 * Options: env (extra/overriding app environment), threads (THREADS, default 4),
 * backend (see renderLighttpdConf; default spawn), dir (reuse a temp dir).
 * Returns { base, port, dir, dbPath, env, lighttpdPid, appPids(), log(), stop() }.
 * stop() ends lighttpd, waits for the app to exit and fails on sanitizer reports.
 */
export async function startGateway({ env = {}, threads, backend = 'spawn', dir } = {}) {
  if (backend === 'spawn' && !fs.existsSync(binPath)) {
    throw new Error(`${binPath} does not exist: build first (or set ONEAPI_BIN)`);
  }
  dir ??= tempDir();
  const fullEnv = appEnv(dir, env, threads);
  let lastErr;
  // The free port can be taken between freePort() and lighttpd's bind: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(dir, port, fullEnv, backend);
    } catch (e) {
      lastErr = e;
      if (!/bind|Address already in use/i.test(String(e.message))) break;
    }
  }
  throw lastErr;
}

async function launch(dir, port, env, backend) {
  const conf = renderLighttpdConf({ dir, port, env, backend });
  const logFile = path.join(dir, 'lighttpd.log');
  const proc = spawn('lighttpd', ['-D', '-f', conf], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc.pid);
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  let exited = null;
  const exitP = new Promise((resolve) => proc.on('exit', (code, sig) => {
    exited = { code, sig };
    live.delete(proc.pid);
    resolve(exited);
  }));
  const log = () => {
    let s = output;
    try { s += fs.readFileSync(logFile, 'utf8'); } catch { /* not yet written */ }
    return s;
  };
  const base = `http://127.0.0.1:${port}`;
  // Every app pid lighttpd ever spawned for us (it respawns a dead one).
  const seen = new Set();
  const appPids = () => {
    if (exited) return [];
    const pids = childPids(proc.pid);
    for (const p of pids) { seen.add(p); live.add(p); }
    return pids;
  };

  try {
    await waitReady(base, 20000 * slow, () =>
      exited ? `lighttpd exited (${JSON.stringify(exited)}):\n${log()}` : null);
  } catch (e) {
    appPids();
    proc.kill('SIGKILL');
    await exitP;
    for (const p of seen) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    throw e;
  }
  appPids();

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    appPids();
    // SIGTERM: lighttpd forwards its kill-signal (SIGTERM) to the app, which
    // drains and exits by itself; we wait for both, within bounds.
    if (!exited) proc.kill('SIGTERM');
    const t = setTimeout(() => { try { proc.kill('SIGKILL'); } catch { /* gone */ } }, 10000 * slow);
    await exitP;
    clearTimeout(t);
    const stuck = [];
    for (const p of seen) {
      if (!(await waitGone(p, 15000 * slow))) {
        stuck.push(p);
        try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      }
      live.delete(p);
    }
    const text = log();
    checkSanitizer(text, `the app behind lighttpd (${dir})`, [...seen]);
    if (stuck.length) throw new Error(`app pid(s) ${stuck.join(',')} ignored SIGTERM for ${15 * slow}s:\n${text.slice(-3000)}`);
    if (!keepDirs) fs.rmSync(dir, { recursive: true, force: true });
  }

  return { base, port, dir, dbPath: env.SQLITE_PATH, env, lighttpdPid: proc.pid, appPids, log, stop };
}

/**
 * Start the app standalone: `oneapi.fcgi --listen 127.0.0.1:<port>` (or a unix
 * socket path when `unixSocket` is true) as a direct child, so tests see its
 * exit status. Returns { proc, listen, dir, env, output(), waitExit(ms), kill(sig) }.
 * waitExit resolves { code, signal } or throws after `ms`.
 */
export async function startApp({ env = {}, threads, args = [], dir, unixSocket = false } = {}) {
  dir ??= tempDir();
  const fullEnv = appEnv(dir, env, threads);
  const listen = unixSocket ? path.join(dir, 'app.sock') : `127.0.0.1:${await freePort()}`;
  const proc = spawn(binPath, ['--listen', listen, ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc.pid);
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let status = null;
  const exitP = new Promise((resolve) => proc.on('exit', (code, signal) => {
    status = { code, signal };
    live.delete(proc.pid);
    resolve(status);
  }));
  // Ready when the socket accepts connections.
  const end = Date.now() + 20000 * slow;
  for (;;) {
    if (status) throw new Error(`app exited early ${JSON.stringify(status)}:\n${out}`);
    const ok = await new Promise((resolve) => {
      const s = unixSocket ? net.connect(listen) : net.connect(Number(listen.split(':')[1]), '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > end) {
      proc.kill('SIGKILL');
      throw new Error(`app did not listen on ${listen}:\n${out}`);
    }
    await sleep(50);
  }
  async function waitExit(ms = 15000 * slow) {
    const t = new Promise((_, reject) => setTimeout(() => reject(new Error(`app still running after ${ms} ms:\n${out}`)), ms).unref());
    const st = await Promise.race([exitP, t]);
    checkSanitizer(out, 'the standalone app', [proc.pid]);
    return st;
  }
  return {
    proc, listen, dir, env: fullEnv,
    output: () => out,
    kill: (sig = 'SIGTERM') => { if (!status) proc.kill(sig); },
    waitExit,
    async stop() {
      if (!status) proc.kill('SIGTERM');
      try { await waitExit(); } finally {
        if (!status) proc.kill('SIGKILL');
        if (!keepDirs) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Run the binary once as plain CGI (stdin from /dev/null unless `input`)
 * with the given CGI variables. Resolves { code, signal, status, headers
 * (lower-case names), body, json, stdout, stderr }. `status` comes from the
 * "Status:" header (200 when absent, as CGI says).
 */
export function runCgi({ env = {}, input, args = [], dir, timeoutMs = 15000 * slow } = {}) {
  dir ??= tempDir();
  const fullEnv = appEnv(dir, { GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', ...env });
  return new Promise((resolve, reject) => {
    const proc = spawn(binPath, args, { env: fullEnv, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    live.add(proc.pid);
    const out = [];
    let err = '';
    proc.stdout.on('data', (d) => out.push(d));
    proc.stderr.on('data', (d) => { err += d; });
    if (input !== undefined) proc.stdin.end(input);
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(t);
      live.delete(proc.pid);
      try { checkSanitizer(err, 'the CGI run', [proc.pid]); } catch (e) { reject(e); return; }
      const stdout = Buffer.concat(out).toString('utf8');
      const sep = stdout.search(/\r?\n\r?\n/);
      const head = sep < 0 ? stdout : stdout.slice(0, sep);
      const body = sep < 0 ? '' : stdout.slice(sep).replace(/^\r?\n\r?\n/, '');
      const headers = {};
      for (const line of head.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const status = headers.status ? Number.parseInt(headers.status, 10) : 200;
      let json = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      if (!keepDirs) fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, status, headers, body, json, stdout, stderr: err });
    });
  });
}

/** Run the binary with `args` (e.g. --version) and no request; { code, signal, stdout, stderr }. */
export function runBin(args, { env = {}, timeoutMs = 15000 * slow } = {}) {
  const dir = tempDir();
  const fullEnv = appEnv(dir, env);
  return new Promise((resolve, reject) => {
    const proc = spawn(binPath, args, { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc.pid);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(t);
      live.delete(proc.pid);
      fs.rmSync(dir, { recursive: true, force: true });
      try { checkSanitizer(stderr, `${path.basename(binPath)} ${args.join(' ')}`, [proc.pid]); } catch (e) { reject(e); return; }
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * One HTTP request. Options: cookie (Cookie header), token (sent as
 * "Authorization: Bearer <token>"), accessToken (sent as the raw
 * "Authorization: <token>", One API's management access token), body (object
 * → JSON; string/Buffer as is), headers, timeoutMs.
 * Resolves { status, headers (a Headers object), json (or null), text, setCookie }.
 */
export async function api(base, method, urlPath, { cookie, token, accessToken, body, headers = {}, timeoutMs = 30000 * slow } = {}) {
  const h = { ...headers };
  if (cookie) h.cookie = cookie;
  if (token) h.authorization = `Bearer ${token}`;
  if (accessToken) h.authorization = accessToken;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      payload = body;
      // a JSON client sending broken JSON, unless the test says otherwise
      // (fetch would send text/plain, which cookie writes may not use)
      if (typeof body === 'string' && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    } else {
      payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
  }
  const res = await fetch(base + urlPath, {
    method, headers: h, body: payload, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text, setCookie: res.headers.getSetCookie() };
}

/**
 * POST /api/user/login and return the session cookie ("session=...") ready
 * for the Cookie header; throws with the response if login fails.
 */
export async function login(base, username = 'root', password = '123456') {
  const r = await api(base, 'POST', '/api/user/login', { body: { username, password } });
  const c = r.setCookie.map((s) => s.split(';')[0]).find((s) => s.startsWith('session='));
  if (r.status !== 200 || !r.json?.success || !c) {
    throw new Error(`login ${username} failed: HTTP ${r.status} ${r.text.slice(0, 500)}`);
  }
  return c;
}

/**
 * A hand-written HTTP/1.1 exchange over one TCP connection, for what fetch
 * cannot do (send a body in parts, pause mid-request). `parts` is a list of
 * strings/Buffers and numbers (a number = pause that many ms, or a function
 * to call at that point). Resolves { status, headers, body, raw }.
 */
export function rawHttp(port, parts, { timeoutMs = 30000 * slow } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    const t = setTimeout(() => { sock.destroy(); reject(new Error('rawHttp timeout')); }, timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => { clearTimeout(t); reject(e); });
    sock.on('close', () => {
      clearTimeout(t);
      const raw = Buffer.concat(chunks).toString('latin1');
      const sep = raw.indexOf('\r\n\r\n');
      const head = sep < 0 ? raw : raw.slice(0, sep);
      const lines = head.split('\r\n');
      const status = Number((/^HTTP\/1\.[01] (\d{3})/.exec(lines[0]) || [])[1] || 0);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = sep < 0 ? '' : raw.slice(sep + 4);
      if (/chunked/i.test(headers['transfer-encoding'] || '')) body = unchunk(body);
      resolve({ status, headers, body: Buffer.from(body, 'latin1').toString('utf8'), raw });
    });
    sock.on('connect', async () => {
      try {
        for (const p of parts) {
          if (typeof p === 'number') await sleep(p);
          else if (typeof p === 'function') await p();
          else sock.write(p);
        }
      } catch (e) {
        sock.destroy();
        reject(e);
      }
    });
  });
}

function unchunk(s) {
  let out = '';
  let i = 0;
  for (;;) {
    const nl = s.indexOf('\r\n', i);
    if (nl < 0) break;
    const n = parseInt(s.slice(i, nl), 16);
    if (!n) break;
    out += s.slice(nl + 2, nl + 2 + n);
    i = nl + 2 + n + 2;
  }
  return out;
}
