// test/integration/real-clients.test.mjs: the real coding agents, installed from npm
// (package.json pins them), run headless against the gateway, which relays to the fake
// providers of every upstream protocol (test/fake/providers.mjs: they refuse what the real
// APIs refuse, and a request they refused fails the test):
//   Codex CLI (`codex exec`, wire_api = "responses")  -> OpenAI Chat, Anthropic, Gemini and
//                                                        OpenAI Responses channels
//   Claude Code (`claude -p`, ANTHROPIC_BASE_URL)       -> OpenAI Chat, OpenAI Responses,
//                                                        Gemini and Anthropic channels
//   OpenCode (`opencode run`), its OpenAI-compatible     -> Anthropic channel
//   and its Anthropic provider settings                 -> OpenAI Chat channel
// For each: a plain answer (the fake model's greeting is what the CLI prints), and a full tool
// loop: the user asks to "run the command `echo …`", the fake model calls the CLI's shell tool
// with it, the CLI runs it and sends the output back, and the fake's final answer quoting that
// output is what the CLI prints. HOME is a temporary directory, telemetry and update checks are
// off, and nothing but loopback is reached.
//
//   cd test/integration && node --test real-clients.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './harness.mjs';
import { setupRelay } from './relay-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const NM = path.join(here, 'node_modules');
const ARCH = { x64: 'x64', arm64: 'arm64' }[process.arch];
const TRIPLE = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[process.arch];
// npm installs the native binaries as optional packages; the wrappers' postinstall scripts
// (which npm may skip) only copy them into place, so run them where npm put them
const CODEX = path.join(NM, `@openai/codex-linux-${ARCH}/vendor/${TRIPLE}/bin/codex`);
const CLAUDE = path.join(NM, `@anthropic-ai/claude-code-linux-${ARCH}/claude`);
const OPENCODE = path.join(NM, `opencode-linux-${ARCH}/bin/opencode`);
const GREETING = 'Hello! It is nice to meet you, and I hope you are having a wonderful day.';

// One channel per upstream protocol, each with its own model name
const CHANNELS = [
  { proto: 'chat', prefix: 'rc-chat', type: 1, model: 'gpt-4.1', config: '{}' },
  { proto: 'responses', prefix: 'rc-resp', type: 1, model: 'gpt-5-codex', config: '{"api_format":"response"}' },
  { proto: 'anthropic', prefix: 'rc-anth', type: 14, model: 'claude-sonnet-4-6', config: '{}' },
  { proto: 'gemini', prefix: 'rc-gem', type: 24, model: 'gemini-2.5-flash', config: '{}' },
];

/** Run a program; resolves { code, stdout, stderr } (never rejects; kills it after ms). */
function run(file, args, { env, cwd, ms = 90000, input = '' }) {
  return new Promise((resolve) => {
    const p = spawn(file, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('close', (code, signal) => { clearTimeout(t); resolve({ code: code ?? signal, stdout, stderr }); });
    p.stdin.end(input);
  });
}

/** An environment with nothing of ours but what the program needs. */
function baseEnv(home, extra) {
  return {
    PATH: process.env.PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1', CI: '1',
    DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1', ...extra,
  };
}

describe('real clients on every channel', () => {
  let R;
  let key;

  before(async () => {
    for (const bin of [CODEX, CLAUDE, OPENCODE]) assert.ok(fs.existsSync(bin), `${bin} is missing: run npm ci in test/integration`);
    R = await setupRelay();
    await R.channels(CHANNELS);
    const user = await R.user('agent', { quota: 2000000000 });
    key = (await R.token(user, { unlimited_quota: true, name: 'agents' })).key;
  });
  after(async () => { await R?.stop(); });

  /** Every request under prefix reached the provider in a shape it accepts. */
  function assertAccepted(prefix, min = 1) {
    const recs = R.up.requestsTo(`/${prefix}`);
    assert.ok(recs.length >= min, `${recs.length} requests reached /${prefix}; all: ${R.up.requests.map((r) => r.path).join(', ')}`);
    for (const rec of recs) {
      assert.equal(rec.rejected, undefined, `/${prefix} refused a request: ${rec.rejected}\n${rec.body.slice(0, 2000)}`);
      assert.equal(rec.status, 200, `/${prefix} answered ${rec.status}`);
    }
    return recs;
  }

  // ---- Codex CLI ----

  /** `codex exec PROMPT` with a model provider pointing at the gateway. */
  async function codex(model, prompt) {
    const home = tempDir('codex-home-');
    const codexHome = path.join(home, '.codex');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'config.toml'), [
      `model = "${model}"`,
      'model_provider = "oneapi"',
      'check_for_update_on_startup = false',
      '[model_providers.oneapi]',
      'name = "oneapi"',
      `base_url = "${R.base}/v1"`,
      'env_key = "ONEAPI_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '[analytics]',
      'enabled = false',
      '',
    ].join('\n'));
    const work = path.join(home, 'work');
    fs.mkdirSync(work);
    const env = baseEnv(home, { CODEX_HOME: codexHome, ONEAPI_KEY: `sk-${key}`, RUST_LOG: 'error' });
    const r = await run(CODEX, ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox',
      '--color', 'never', '-C', work, prompt], { env, cwd: work });
    fs.rmSync(home, { recursive: true, force: true });
    return r;
  }

  for (const c of CHANNELS) {
    it(`Codex CLI -> ${c.proto} channel: a plain answer`, async () => {
      R.up.reset();
      const r = await codex(c.model, 'Say hello.');
      assert.equal(r.code, 0, `codex exited ${r.code}\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
      assert.ok(r.stdout.includes(GREETING), `the answer is not on stdout:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
      const [rec] = assertAccepted(c.prefix);
      if (c.proto !== 'responses') {
        // what Codex sent was translated: its namespace functions reached the provider flattened
        assert.ok(rec.body.includes('multi_agent_v1__'), 'the namespace tools did not reach the provider as functions');
      }
    });

    it(`Codex CLI -> ${c.proto} channel: a shell tool loop`, async () => {
      R.up.reset();
      const marker = `cx-${c.proto}-${Date.now()}`;
      const r = await codex(c.model, `Run the command \`echo ${marker}\` and tell me what it printed.`);
      assert.equal(r.code, 0, `codex exited ${r.code}\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
      assert.ok(r.stdout.includes(`The command printed: ${marker}`), `the final answer is not on stdout:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
      const recs = assertAccepted(c.prefix, 2);
      // the command's output went back to the provider in the second request
      assert.ok(recs.at(-1).body.includes(marker), 'the tool output never reached the provider');
    });
  }

  // ---- Claude Code ----

  async function claude(model, prompt) {
    const home = tempDir('claude-home-');
    const work = path.join(home, 'work');
    fs.mkdirSync(work);
    const env = baseEnv(home, {
      ANTHROPIC_BASE_URL: R.base, ANTHROPIC_API_KEY: `sk-${key}`, ANTHROPIC_MODEL: model,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: model, ANTHROPIC_SMALL_FAST_MODEL: model,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_MAX_RETRIES: '0', API_TIMEOUT_MS: '60000',
    });
    const r = await run(CLAUDE, ['-p', prompt, '--model', model, '--allowedTools', 'Bash', '--max-turns', '4'], { env, cwd: work });
    fs.rmSync(home, { recursive: true, force: true });
    return r;
  }

  for (const c of [CHANNELS[0], CHANNELS[1], CHANNELS[3], CHANNELS[2]]) {
    it(`Claude Code -> ${c.proto} channel: a plain answer`, async () => {
      R.up.reset();
      const r = await claude(c.model, 'Say hello.');
      assert.equal(r.code, 0, `claude exited ${r.code}\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
      assert.ok(r.stdout.includes(GREETING), `the answer is not on stdout:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
      assertAccepted(c.prefix);
    });

    it(`Claude Code -> ${c.proto} channel: a Bash tool loop`, async () => {
      R.up.reset();
      const marker = `cc-${c.proto}-${Date.now()}`;
      const r = await claude(c.model, `Run the command \`echo ${marker}\` and tell me what it printed.`);
      assert.equal(r.code, 0, `claude exited ${r.code}\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
      assert.ok(r.stdout.includes(`The command printed: ${marker}`), `the final answer is not on stdout:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
      const recs = assertAccepted(c.prefix, 2);
      assert.ok(recs.at(-1).body.includes(marker), 'the tool output never reached the provider');
    });
  }

  // ---- OpenCode ----

  /** `opencode run PROMPT` with a provider of this npm package (OpenCode bundles it) at the gateway. */
  async function opencode(npm, model, prompt) {
    const home = tempDir('opencode-home-');
    const work = path.join(home, 'work');
    fs.mkdirSync(work);
    const baseURL = `${R.base}/v1`;	// both providers add their own path to it
    const config = {
      $schema: 'https://opencode.ai/config.json', autoupdate: false, share: 'disabled',
      model: `oneapi/${model}`, small_model: `oneapi/${model}`,
      provider: { oneapi: { npm, name: 'One API', options: { baseURL, apiKey: `sk-${key}` }, models: { [model]: { name: model, tool_call: true } } } },
      permission: { bash: 'allow', edit: 'allow', webfetch: 'deny' },
    };
    const cfg = path.join(home, 'opencode.json');
    fs.writeFileSync(cfg, JSON.stringify(config));
    const env = baseEnv(home, {
      OPENCODE_CONFIG: cfg, OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1', OPENCODE_DISABLE_DEFAULT_PLUGINS: '1', OPENCODE_DISABLE_CLAUDE_CODE: '1',
      OPENCODE_DISABLE_EXTERNAL_SKILLS: '1', XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CACHE_HOME: path.join(home, '.cache'), XDG_STATE_HOME: path.join(home, '.local/state'),
    });
    const r = await run(OPENCODE, ['run', '--model', `oneapi/${model}`, prompt], { env, cwd: work, ms: 240000 });
    fs.rmSync(home, { recursive: true, force: true });
    return r;
  }

  // both provider settings, each to a channel of another protocol (OpenCode is slow to start:
  // two cases, not every pair)
  const OPENCODE_CASES = [
    { npm: '@ai-sdk/openai-compatible', c: CHANNELS[2] },
    { npm: '@ai-sdk/anthropic', c: CHANNELS[0] },
  ];
  for (const { npm, c } of OPENCODE_CASES) {
    // one run each (OpenCode takes tens of seconds to start on a busy machine): the tool loop,
    // whose last step is a plain answer
    it(`OpenCode (${npm}) -> ${c.proto} channel: a bash tool loop`, async () => {
      R.up.reset();
      const marker = `oc-${c.proto}-${Date.now()}`;
      const r = await opencode(npm, c.model, `Run the command \`echo ${marker}\` and tell me what it printed.`);
      assert.equal(r.code, 0, `opencode exited ${r.code}\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
      assert.ok(r.stdout.includes(`The command printed: ${marker}`), `the final answer is not on stdout:\n${r.stdout}\n${r.stderr.slice(-2000)}`);
      const recs = assertAccepted(c.prefix, 2);
      assert.ok(recs.at(-1).body.includes(marker), 'the tool output never reached the provider');
    });
  }
});
