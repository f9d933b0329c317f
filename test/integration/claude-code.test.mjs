// test/integration/claude-code.test.mjs: Claude Code's traffic through the gateway's Claude
// Messages endpoint. Claude Code sends `POST /v1/messages?beta=true` with
// `anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14`, a system of text
// blocks with cache_control (one big ~20 KB block), ~15 tools with JSON schemas, a tool loop in
// the history, cache_control on the last user block, stream true, max_tokens 32000 and
// metadata.user_id; gateways are also reached through the path aliases One API rewrites to
// /v1/messages (ONEAPI_SPEC.md §2.1). Checked:
//   (a) to an Anthropic channel it is passed through: the provider gets the body unchanged
//       (cache_control, metadata, tools identical) and the anthropic-beta header;
//   (b) to an OpenAI Chat channel it is translated: the provider gets a valid Chat request
//       (system first, 15 function tools with the same schemas, the tool loop as tool_calls +
//       a tool message, stream_options.include_usage) and the client a valid Claude stream;
//   errors come back in the caller's format (Claude: {"type":"error","error":{…}}, OpenAI:
//   {"error":{…}}) and cost nothing.
//
//   cd test/integration && node --test claude-code.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { api, sleep } from './harness.mjs';
import { setupRelay } from './relay-lib.mjs';
import { checkRequest } from '../fake/upstream.mjs';

const UPSTREAM_KEY = 'sk-Xq9vTz2LmW8kRp4Y';
const BETA = 'claude-code-20250219,interleaved-thinking-2025-05-14';
const CLAUDE_MODEL = 'claude-sonnet-4-6';
const CHAT_MODEL = 'gpt-4o-mini';
const GEMINI_MODEL = 'gemini-2.5-flash';
// One API rewrites these to /v1/messages (Claude Code pointed at a gateway with a /v1 or /openai base)
const ALIASES = ['/v1/v1/messages', '/openai/v1/messages', '/openai/v1/v1/messages', '/api/v1/v1/messages'];

// ---- Claude Code's request ---------------------------------------------------------

const S = 'http://json-schema.org/draft-07/schema#';
const obj = (properties, required = []) => ({ type: 'object', properties, required, additionalProperties: false, $schema: S });
const str = (description) => ({ type: 'string', description });
const num = (description) => ({ type: 'number', description });
const bool = (description) => ({ type: 'boolean', description });
const TOOLS = [
  { name: 'Task', description: 'Launch a new agent to handle complex, multi-step tasks autonomously.', input_schema: obj({ description: str('A short (3-5 word) description of the task'), prompt: str('The task for the agent to perform'), subagent_type: str('The type of specialized agent to use for this task') }, ['description', 'prompt', 'subagent_type']) },
  { name: 'Bash', description: 'Executes a given bash command in a persistent shell session with optional timeout.', input_schema: obj({ command: str('The command to execute'), timeout: num('Optional timeout in milliseconds (max 600000)'), description: str('Clear, concise description of what this command does in 5-10 words'), run_in_background: bool('Set to true to run this command in the background') }, ['command']) },
  { name: 'Glob', description: 'Fast file pattern matching tool that works with any codebase size.', input_schema: obj({ pattern: str('The glob pattern to match files against'), path: str('The directory to search in') }, ['pattern']) },
  { name: 'Grep', description: 'A powerful search tool built on ripgrep.', input_schema: obj({ pattern: str('The regular expression pattern to search for in file contents'), path: str('File or directory to search in'), glob: str('Glob pattern to filter files (e.g. "*.js")'), output_mode: { type: 'string', enum: ['content', 'files_with_matches', 'count'], description: 'Output mode' }, '-i': bool('Case insensitive search'), '-n': bool('Show line numbers in output'), head_limit: num('Limit output to first N lines/entries'), multiline: bool('Enable multiline mode') }, ['pattern']) },
  { name: 'LS', description: 'Lists files and directories in a given path.', input_schema: obj({ path: str('The absolute path to the directory to list'), ignore: { type: 'array', items: { type: 'string' }, description: 'List of glob patterns to ignore' } }, ['path']) },
  { name: 'ExitPlanMode', description: 'Use this tool when you are in plan mode and have finished presenting your plan.', input_schema: obj({ plan: str('The plan you came up with, that you want to run by the user for approval') }, ['plan']) },
  { name: 'Read', description: 'Reads a file from the local filesystem.', input_schema: obj({ file_path: str('The absolute path to the file to read'), offset: num('The line number to start reading from'), limit: num('The number of lines to read') }, ['file_path']) },
  { name: 'Edit', description: 'Performs exact string replacements in files.', input_schema: obj({ file_path: str('The absolute path to the file to modify'), old_string: str('The text to replace'), new_string: str('The text to replace it with'), replace_all: { type: 'boolean', default: false, description: 'Replace all occurrences of old_string' } }, ['file_path', 'old_string', 'new_string']) },
  { name: 'MultiEdit', description: 'Makes multiple edits to a single file in one operation.', input_schema: obj({ file_path: str('The absolute path to the file to modify'), edits: { type: 'array', minItems: 1, description: 'Array of edit operations to perform sequentially on the file', items: { type: 'object', additionalProperties: false, properties: { old_string: str('The text to replace'), new_string: str('The text to replace it with'), replace_all: bool('Replace all occurrences') }, required: ['old_string', 'new_string'] } } }, ['file_path', 'edits']) },
  { name: 'Write', description: 'Writes a file to the local filesystem.', input_schema: obj({ file_path: str('The absolute path to the file to write'), content: str('The content to write to the file') }, ['file_path', 'content']) },
  { name: 'NotebookEdit', description: 'Completely replaces the contents of a specific cell in a Jupyter notebook.', input_schema: obj({ notebook_path: str('The absolute path to the Jupyter notebook file to edit'), cell_id: str('The ID of the cell to edit'), new_source: str('The new source for the cell'), cell_type: { type: 'string', enum: ['code', 'markdown'], description: 'The type of the cell' }, edit_mode: { type: 'string', enum: ['replace', 'insert', 'delete'], description: 'The type of edit to make' } }, ['notebook_path', 'new_source']) },
  { name: 'WebFetch', description: 'Fetches content from a specified URL and processes it using an AI model.', input_schema: obj({ url: { type: 'string', format: 'uri', description: 'The URL to fetch content from' }, prompt: str('The prompt to run on the fetched content') }, ['url', 'prompt']) },
  { name: 'TodoWrite', description: 'Use this tool to create and manage a structured task list for your current coding session.', input_schema: obj({ todos: { type: 'array', description: 'The updated todo list', items: { type: 'object', additionalProperties: false, properties: { content: { type: 'string', minLength: 1 }, status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] }, activeForm: { type: 'string', minLength: 1 } }, required: ['content', 'status', 'activeForm'] } } }, ['todos']) },
  { name: 'WebSearch', description: 'Allows Claude to search the web and use the results to inform responses.', input_schema: obj({ query: { type: 'string', minLength: 2, description: 'The search query to use' }, allowed_domains: { type: 'array', items: { type: 'string' }, description: 'Only include search results from these domains' }, blocked_domains: { type: 'array', items: { type: 'string' }, description: 'Never include search results from these domains' } }, ['query']) },
  { name: 'BashOutput', description: 'Retrieves output from a running or completed background bash shell.', input_schema: obj({ bash_id: str('The ID of the background shell to retrieve output from'), filter: str('Optional regular expression to filter the output lines') }, ['bash_id']) },
];

const SYSTEM_INTRO = "You are Claude Code, Anthropic's official CLI for Claude.";
// the big block: instructions, tool usage policy, environment, a git status; about 20 KB
const SYSTEM_BIG = (() => {
  const parts = [
    'You are an interactive CLI tool that helps users with software engineering tasks. Use the instructions below and the tools available to you to assist the user.',
    'IMPORTANT: Assist with defensive security tasks only. Refuse to create, modify, or improve code that may be used maliciously.',
    '# Tone and style\nYou should be concise, direct, and to the point. Your output will be displayed on a command line interface. Use GitHub-flavored markdown for formatting.',
    '# Proactiveness\nYou are allowed to be proactive, but only when the user asks you to do something.',
    '# Following conventions\nWhen making changes to files, first understand the file\'s code conventions. Mimic code style, use existing libraries and utilities, and follow existing patterns.',
    '# Task Management\nYou have access to the TodoWrite tools to help you manage and plan tasks. Use these tools VERY frequently to ensure that you are tracking your tasks.',
    '# Doing tasks\nThe user will primarily request you perform software engineering tasks: solving bugs, adding new functionality, refactoring code, explaining code, and more.',
    '# Tool usage policy\n- When doing file search, prefer to use the Task tool in order to reduce context usage.\n- You can call multiple tools in a single response.',
  ];
  const env = '<env>\nWorking directory: /home/user/project\nIs directory a git repo: Yes\nPlatform: linux\nOS Version: Linux 6.8.0\nToday\'s date: 2025-10-15\n</env>\nYou are powered by the model named Sonnet 4.6. The exact model ID is claude-sonnet-4-6.';
  let s = `${parts.join('\n\n')}\n\n${env}\n\ngitStatus: This is the git status at the start of the conversation.\nCurrent branch: main\n\nRecent commits:\n`;
  for (let i = 0; s.length < 20000; i++) {
    s += `${(0x1a2b3c4 + i * 7919).toString(16).padStart(7, '0')} Relay: commit number ${i} of the project history, touching src/module_${i % 17}.c and test/unit/test_${i % 11}.c (${['fix', 'feat', 'refactor', 'docs'][i % 4]})\n`;
  }
  return s;
})();

const TOOL_USE_ID = 'toolu_01A09q90qw90lq917835lq9';
function claudeCodeBody(model) {
  return {
    model,
    max_tokens: 32000,
    messages: [
      { role: 'user', content: [
        { type: 'text', text: '<system-reminder>\nAs you answer the user\'s questions, you can use the following context:\n# important-instruction-reminders\nDo what has been asked; nothing more, nothing less.\n</system-reminder>' },
        { type: 'text', text: 'What does the Makefile in this project do?' },
      ] },
      { role: 'assistant', content: [
        { type: 'text', text: "I'll look at the project files first." },
        { type: 'tool_use', id: TOOL_USE_ID, name: 'Bash', input: { command: 'ls -la', description: 'List files in the project root' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: TOOL_USE_ID, content: 'total 16\n-rw-r--r-- 1 me me  412 Makefile\n-rw-r--r-- 1 me me 1021 README.md', is_error: false },
        { type: 'text', text: 'Use the Read tool to open the Makefile.', cache_control: { type: 'ephemeral' } },
      ] },
    ],
    temperature: 1,
    system: [
      { type: 'text', text: SYSTEM_INTRO, cache_control: { type: 'ephemeral' } },
      { type: 'text', text: SYSTEM_BIG, cache_control: { type: 'ephemeral' } },
    ],
    tools: TOOLS,
    metadata: { user_id: 'user_5e1f9c0b7a3d4e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f_account__session_3b8c4f2e-9d1a-4c7b-8e5f-2a6d0c9b1e47' },
    stream: true,
  };
}

// ---- reading a Claude stream by hand -----------------------------------------------------

/**
 * Parse a Claude SSE body strictly: every event has an `event:` line naming its data's type,
 * message_start first and message_stop last, blocks opened, filled and closed one at a time.
 * Returns { message (content rebuilt), stopReason, usage, events }.
 */
function readClaudeStream(text) {
  const events = text.split(/\r?\n\r?\n/).filter((s) => s.trim() && !s.trim().startsWith(':')).map((raw) => {
    const lines = raw.split(/\r?\n/);
    const ev = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    assert.ok(ev, `an event without an event: line: ${raw.slice(0, 200)}`);
    const d = JSON.parse(data);
    assert.equal(d.type, ev, `event: ${ev} carries data of type ${d.type}`);
    return d;
  }).filter((d) => d.type !== 'ping');
  assert.equal(events[0]?.type, 'message_start', 'the first event is not message_start');
  assert.equal(events.at(-1).type, 'message_stop', 'the last event is not message_stop');
  const content = [];
  let open = null;
  let stopReason = null;
  let usage = { ...events[0].message.usage };
  for (const e of events.slice(1, -1)) {
    if (e.type === 'content_block_start') {
      assert.equal(open, null, 'a block opened before the previous one closed');
      assert.equal(e.index, content.length, 'block index out of order');
      open = { ...e.content_block, json: '' };
      content.push(open);
    } else if (e.type === 'content_block_delta') {
      assert.ok(open && e.index === content.length - 1, 'a delta outside its block');
      if (e.delta.type === 'text_delta') open.text += e.delta.text;
      else if (e.delta.type === 'input_json_delta') open.json += e.delta.partial_json;
    } else if (e.type === 'content_block_stop') {
      assert.ok(open && e.index === content.length - 1, 'a stop outside its block');
      if (open.type === 'tool_use') open.input = open.json ? JSON.parse(open.json) : {};
      delete open.json;
      open = null;
    } else if (e.type === 'message_delta') {
      stopReason = e.delta.stop_reason;
      usage = { ...usage, ...e.usage };
    } else {
      assert.fail(`unexpected event ${e.type}`);
    }
  }
  assert.equal(open, null, 'a block was never closed');
  return { content, stopReason, usage, events };
}

describe('Claude Code through the gateway', () => {
  let R;
  let key;
  let user;
  let tok;

  before(async () => {
    R = await setupRelay();
    for (const [prefix, type, models] of [['cc-an', 14, CLAUDE_MODEL], ['cc-oc', 1, CHAT_MODEL], ['cc-ge', 24, GEMINI_MODEL]]) {
      const r = await R.root('POST', '/api/channel/', {
        name: prefix, type, key: UPSTREAM_KEY, base_url: `${R.up.base}/${prefix}`, other: '', models,
        group: 'default', priority: 0, weight: 0, model_mapping: '', system_prompt: '', config: '{}',
      });
      assert.equal(r.json?.success, true, `add channel ${prefix}: ${r.text}`);
    }
    user = await R.user('coder', { quota: 500000000 });
    tok = await R.token(user, { unlimited_quota: true, name: 'claude-code' });
    key = tok.key;
  });
  after(async () => { await R?.stop(); });

  // Claude Code's own headers (it authenticates with x-api-key, or Bearer for ANTHROPIC_AUTH_TOKEN)
  const ccHeaders = () => ({
    'x-api-key': `sk-${key}`, 'anthropic-version': '2023-06-01', 'anthropic-beta': BETA, 'content-type': 'application/json',
    'anthropic-dangerous-direct-browser-access': 'true', 'x-app': 'cli', 'user-agent': 'claude-cli/2.0.14 (external, cli)', accept: 'application/json',
  });
  const sdk = () => new Anthropic({
    baseURL: R.base, apiKey: `sk-${key}`, maxRetries: 0, timeout: 30000,
    defaultHeaders: { 'x-app': 'cli', 'user-agent': 'claude-cli/2.0.14 (external, cli)' },
  });
  const rawPost = (p, body, headers = ccHeaders()) => fetch(R.base + p, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(30000),
  });
  const withoutModel = ({ model, ...rest }) => rest;

  /** The one request the fake got under prefix: accepted, at the right URL. */
  function upstreamRequest(prefix, suffix) {
    const recs = R.up.requestsTo(prefix);
    assert.equal(recs.length, 1, `${recs.length} requests reached ${prefix}: ${recs.map((r) => r.path).join(', ')}; all: ${R.up.requests.map((r) => r.path).join(', ')}`);
    const rec = recs[0];
    assert.equal(rec.path.split('?')[0], `${prefix}${suffix}`);
    assert.equal(rec.rejected, undefined, `the provider refused the request: ${rec.rejected}`);
    assert.equal(rec.status, 200);
    assert.equal(checkRequest(rec), null);
    return rec;
  }

  function assertPassThrough(rec, body) {
    assert.deepEqual(withoutModel(rec.json), withoutModel(body), 'the body changed on the way (beyond model)');
    assert.equal(rec.json.model, CLAUDE_MODEL);
    assert.equal(rec.headers['anthropic-beta'], BETA, 'anthropic-beta not forwarded');
    assert.equal(rec.headers['x-api-key'], UPSTREAM_KEY, 'the channel key');
    assert.ok(rec.headers['anthropic-version'], 'anthropic-version');
  }

  // ---- (a) Anthropic channel: pass-through ----

  it('(a) @anthropic-ai/sdk beta.messages.stream -> Anthropic channel: body and anthropic-beta passed through, the stream comes back', async () => {
    R.up.reset();
    const body = claudeCodeBody(CLAUDE_MODEL);
    const { stream, ...params } = body;
    assert.equal(stream, true);
    const s = sdk().beta.messages.stream({ ...params, betas: BETA.split(',') });
    const types = [];
    for await (const e of s) types.push(e.type);
    const fin = await s.finalMessage();
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.deepEqual(fin.content.map((b) => b.type), ['text', 'tool_use']);
    assert.equal(fin.content[1].name, 'Read');
    assert.equal(typeof fin.content[1].input.file_path, 'string');
    assert.equal(fin.stop_reason, 'tool_use');
    const rec = upstreamRequest('/cc-an', '/v1/messages');
    assertPassThrough(rec, body);
  });

  it('(a) raw POST /v1/messages?beta=true and every path alias -> Anthropic channel: pass-through, a well-formed Claude stream', async () => {
    for (const p of ['/v1/messages?beta=true', ...ALIASES]) {
      R.up.reset();
      const body = claudeCodeBody(CLAUDE_MODEL);
      const res = await rawPost(p, body);
      const text = await res.text();
      assert.equal(res.status, 200, `${p}: ${text.slice(0, 300)}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/, p);
      const m = readClaudeStream(text);
      assert.deepEqual(m.content.map((b) => b.type), ['text', 'tool_use'], p);
      assert.equal(m.content[1].name, 'Read');
      assert.equal(m.stopReason, 'tool_use');
      assertPassThrough(upstreamRequest('/cc-an', '/v1/messages'), body);
    }
  });

  it('(a) count_tokens (Claude Code counts before it sends) -> Anthropic channel: passed through, the count comes back', async () => {
    R.up.reset();
    const { max_tokens, stream, temperature, metadata, ...count } = claudeCodeBody(CLAUDE_MODEL);
    void max_tokens; void stream; void temperature; void metadata;
    const res = await rawPost('/v1/messages/count_tokens?beta=true', count);
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 300));
    const j = JSON.parse(text);
    assert.ok(Number.isInteger(j.input_tokens) && j.input_tokens > 0, text);
    const rec = upstreamRequest('/cc-an', '/v1/messages/count_tokens');
    assert.deepEqual(rec.json, count);
    assert.equal(rec.headers['anthropic-beta'], BETA);
  });

  // ---- (b) OpenAI Chat channel: translation ----

  function assertChatTranslation(rec, body) {
    const c = rec.json;
    assert.equal(c.model, CHAT_MODEL);
    assert.equal(c.stream, true);
    assert.equal(c.stream_options?.include_usage, true, 'stream_options.include_usage');
    // system first, the joined text of the system blocks
    const sys = c.messages[0];
    assert.ok(sys.role === 'system' || sys.role === 'developer', `first message role ${sys.role}`);
    const sysText = typeof sys.content === 'string' ? sys.content : sys.content.map((p) => p.text).join('\n');
    assert.ok(sysText.includes(SYSTEM_INTRO) && sysText.includes(SYSTEM_BIG), 'the system text lost a block');
    assert.ok(sysText.indexOf(SYSTEM_INTRO) < sysText.indexOf(SYSTEM_BIG), 'system blocks out of order');
    assert.equal(c.messages.filter((m) => m.role === 'system' || m.role === 'developer').length, 1, 'one system message');
    // the tools, same names, descriptions and schemas
    assert.equal(c.tools.length, TOOLS.length);
    c.tools.forEach((t, i) => {
      assert.equal(t.type, 'function');
      assert.equal(t.function.name, TOOLS[i].name);
      assert.equal(t.function.description, TOOLS[i].description);
      assert.deepEqual(t.function.parameters, TOOLS[i].input_schema, `schema of ${TOOLS[i].name}`);
    });
    // the tool loop: assistant text + tool_calls, the tool result, then the user's text
    const a = c.messages.findIndex((m) => m.role === 'assistant');
    assert.ok(a > 0, 'no assistant message');
    const asst = c.messages[a];
    assert.equal(asst.tool_calls?.length, 1);
    assert.equal(asst.tool_calls[0].id, TOOL_USE_ID);
    assert.equal(asst.tool_calls[0].function.name, 'Bash');
    assert.deepEqual(JSON.parse(asst.tool_calls[0].function.arguments), body.messages[1].content[1].input);
    const toolMsg = c.messages[a + 1];
    assert.equal(toolMsg.role, 'tool');
    assert.equal(toolMsg.tool_call_id, TOOL_USE_ID);
    const toolText = typeof toolMsg.content === 'string' ? toolMsg.content : toolMsg.content.map((p) => p.text).join('');
    assert.match(toolText, /Makefile/);
    const after = c.messages.slice(a + 2);
    assert.ok(after.some((m) => m.role === 'user' && JSON.stringify(m.content).includes('Use the Read tool')), 'the user text after the tool result');
    assert.equal(c.messages.at(-1).role, 'user');
  }

  it('(b) @anthropic-ai/sdk -> OpenAI Chat channel: a valid Chat request upstream, a valid Claude stream back', async () => {
    R.up.reset();
    const body = claudeCodeBody(CHAT_MODEL);
    const { stream, ...params } = body;
    void stream;
    const s = sdk().beta.messages.stream({ ...params, betas: BETA.split(',') });
    const types = [];
    for await (const e of s) types.push(e.type);
    const fin = await s.finalMessage();
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.deepEqual(fin.content.map((b) => b.type), ['text', 'tool_use']);
    assert.ok(fin.content[0].text.length > 0);
    assert.equal(fin.content[1].name, 'Read');
    assert.equal(typeof fin.content[1].input.file_path, 'string');
    assert.equal(fin.stop_reason, 'tool_use');
    assert.ok(fin.usage.output_tokens > 0, 'output usage');
    assertChatTranslation(upstreamRequest('/cc-oc', '/v1/chat/completions'), body);
  });

  it('(b) raw POST through an alias -> OpenAI Chat channel: strict Claude SSE grammar, usage from the upstream', async () => {
    R.up.reset();
    const body = claudeCodeBody(CHAT_MODEL);
    const res = await rawPost('/openai/v1/messages', body);
    const text = await res.text();
    assert.equal(res.status, 200, text.slice(0, 300));
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(!text.includes('[DONE]'), 'a Chat terminator leaked into the Claude stream');
    const m = readClaudeStream(text);
    assert.deepEqual(m.content.map((b) => b.type), ['text', 'tool_use']);
    assert.match(m.content[1].id, /^[a-zA-Z0-9_-]+$/, 'tool_use id pattern');
    assert.equal(m.stopReason, 'tool_use');
    assert.ok(m.usage.output_tokens > 0);
    const rec = upstreamRequest('/cc-oc', '/v1/chat/completions');
    assertChatTranslation(rec, body);
  });

  // ---- errors, in the caller's format, free of charge ----

  describe('errors', () => {
    let before0;
    const money = () => {
      const [u] = R.sql(`SELECT quota, used_quota FROM users WHERE id = ${user.id}`);
      const [t] = R.sql(`SELECT used_quota FROM tokens WHERE id = ${tok.id}`);
      const [l] = R.sql(`SELECT COUNT(*) FROM logs WHERE type = 2 AND user_id = ${user.id}`);
      return { quota: Number(u[0]), used: Number(u[1]), tokenUsed: Number(t[0]), consumeLogs: Number(l[0]) };
    };
    const assertClaudeError = (status, r, what) => {
      assert.equal(r.status, status, `${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.json?.type, 'error', `${what}: not a Claude error: ${r.text.slice(0, 300)}`);
      assert.equal(typeof r.json.error?.type, 'string', what);
      assert.equal(typeof r.json.error?.message, 'string', what);
      assert.equal(r.json.error.error, undefined, what);
      return r.json.error;
    };

    /** money() once settlements stopped moving it (the relay settles after answering). */
    const settled = async () => {
      let last = JSON.stringify(money());
      for (let i = 0; i < 30; i++) {
        await sleep(150);
        const now = JSON.stringify(money());
        if (now === last && i >= 2) break;
        last = now;
      }
      return JSON.parse(last);
    };

    before(async () => {
      before0 = await settled();
      // the Gemini provider refuses everything, the way it refuses a bad request
      R.up.route('/cc-ge', {
        status: 400, type: 'application/json; charset=UTF-8',
        text: JSON.stringify({ error: { code: 400, message: '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n', status: 'INVALID_ARGUMENT' } }, null, 2),
      });
    });
    after(() => R.up.unroute('/cc-ge'));

    it('a bad key on /v1/messages: 401 in Claude\'s error shape', async () => {
      const r = await api(R.base, 'POST', '/v1/messages', {
        headers: { ...ccHeaders(), 'x-api-key': 'sk-not-a-valid-key' }, body: claudeCodeBody(CLAUDE_MODEL),
      });
      const e = assertClaudeError(401, r, 'bad key');
      assert.equal(e.type, 'authentication_error');
      await assert.rejects(new Anthropic({ baseURL: R.base, apiKey: 'sk-nope', maxRetries: 0 }).messages.create({ model: CLAUDE_MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        (err) => err.status === 401 && err.error?.type === 'error');
    });

    it('a malformed JSON body on /v1/messages: 400 in Claude\'s error shape', async () => {
      const r = await api(R.base, 'POST', '/v1/messages', { headers: ccHeaders(), body: '{"model": "claude-sonnet-4-6", "max_tokens": ' });
      const e = assertClaudeError(400, r, 'malformed JSON');
      assert.equal(e.type, 'invalid_request_error');
    });

    it('an upstream 400 from Gemini: a Claude error for a Claude client, an OpenAI error for a Chat client', async () => {
      R.up.reset();
      const body = { model: GEMINI_MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] };
      let r = await api(R.base, 'POST', '/v1/messages', { headers: ccHeaders(), body });
      let e = assertClaudeError(400, r, 'Claude client, Gemini 400');
      assert.equal(e.type, 'invalid_request_error');
      r = await api(R.base, 'POST', '/v1/messages', { headers: ccHeaders(), body: { ...body, stream: true } });
      assertClaudeError(400, r, 'Claude client (stream), Gemini 400');
      await assert.rejects(sdk().messages.create(body), (err) => err.status === 400 && err.error?.type === 'error' && err.error?.error?.type === 'invalid_request_error');

      r = await api(R.base, 'POST', '/v1/chat/completions', { token: `sk-${key}`, body: { model: GEMINI_MODEL, messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(r.status, 400, r.text);
      assert.equal(typeof r.json?.error?.message, 'string', `not an OpenAI error: ${r.text}`);
      assert.equal(typeof r.json.error.type, 'string');
      assert.equal(r.json.type, undefined, 'a Claude-shaped error to a Chat client');
      const oa = new OpenAI({ baseURL: `${R.base}/v1`, apiKey: `sk-${key}`, maxRetries: 0 });
      await assert.rejects(oa.chat.completions.create({ model: GEMINI_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }), (err) => err.status === 400);
      assert.ok(R.up.requestsTo('/cc-ge').length >= 4, 'the errors did not come from the Gemini upstream');
    });

    it('nothing was charged for the errors', async () => {
      assert.deepEqual(await settled(), before0);
    });
  });
});
