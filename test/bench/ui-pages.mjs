// test/bench/ui-pages.mjs: server time of each admin page at One API scale
// (issue 13's benchmark): 10 000 channels, 100 000 logs, 1 000 users in a
// fresh SQLite database, then each page requested RUNS times through
// lighttpd with root's session; prints the p50 and p90 of the wall time.
//
//   ONEAPI_BIN=$PWD/oneapi.fcgi node test/bench/ui-pages.mjs   (RUNS=20)
import { execFileSync } from 'node:child_process';
import { startGateway, login, api } from '../integration/harness.mjs';

const RUNS = Number(process.env.RUNS || 20);
const gw = await startGateway();
try {
  const now = Math.floor(Date.now() / 1000);
  const sql = [
    'BEGIN;',
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) ' +
      "INSERT INTO channels (type, `key`, status, name, models, `group`, created_time, priority, weight, used_quota) " +
      "SELECT 1, 'sk-x' || i, 1 + (i % 3 = 0), 'chan-' || i, 'gpt-4o-mini,gpt-4o', 'default', " + now + ", i % 5, 0, i * 7 FROM n;",
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) ' +
      "INSERT INTO users (username, password, display_name, role, status, quota, `group`, aff_code) " +
      "SELECT 'u' || i, 'x', 'User ' || i, 1, 1, 500000, 'default', 'aff' || i FROM n;",
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) ' +
      'INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id) ' +
      "SELECT 1 + (i % 50), " + now + " - (i * 25), 2, '', 'root', 'tok', 'gpt-4o-mini', 150, 10, 20, 1 + (i % 10000) FROM n;",
    'COMMIT;',
  ].join('\n');
  execFileSync('sqlite3', [gw.dbPath], { input: sql });
  const cookie = await login(gw.base);
  const pages = ['/', '/?days=30', '/channels', '/channels?p=400', '/channels?keyword=chan-99&order=priority',
    '/channels/5000/edit', '/tokens', '/users', '/users?p=40', '/logs', '/logs?p=4000', '/logs?type=2&model_name=gpt-4o-mini',
    '/logs?from=2020-01-01&to=2100-01-01', '/models', '/redemptions', '/settings', '/profile'];
  console.log('| page | p50 ms | p90 ms |\n|---|---|---|');
  for (const p of pages) {
    const t = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const r = await api(gw.base, 'GET', p, { cookie });
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
    }
    t.sort((a, b) => a - b);
    console.log(`| ${p} | ${t[Math.floor(RUNS / 2)].toFixed(1)} | ${t[Math.floor(RUNS * 0.9)].toFixed(1)} |`);
  }
} finally {
  await gw.stop();
}
