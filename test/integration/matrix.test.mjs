// test/integration/matrix.test.mjs: One API's compatibility matrix (ONEAPI_SPEC.md §8) recreated
// against one gateway and the fake providers (test/fake/providers.mjs). Every cell is one
// request: inbound format (Chat Completions with the `openai` client's chat.completions,
// Responses with its responses.create, Claude Messages with @anthropic-ai/sdk) x upstream
// channel (OpenAI Chat, OpenAI Responses, Anthropic, Gemini; picked by model) x variant
// (default, tools, tool history, structured, vision) x stream false/true, with the §8.2
// bodies, judged as §8.3 but strictly:
//   default    non-empty text
//   tools      a get_weather call with location "San Francisco, CA", in the client's format
//   history    a tool call or text
//   structured JSON text with topic and confidence (Claude: the forced topic_classifier
//              tool's input carries them)
//   vision     text, and the upstream got the image in its own form (image_url,
//              input_image, an Anthropic base64 image block, Gemini inlineData)
// plus, for every cell: the stream grammar the SDK relies on, one request at the right
// upstream URL with the channel's key, accepted by the fake (it checks requests like the
// real API and refuses what the real API refuses), and afterwards a consume log row with
// tokens for every passing cell. The table is printed at the end, One API style.
//
//   cd test/integration && node --test matrix.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { repoRoot } from './harness.mjs';
import { setupRelay, waitFor } from './relay-lib.mjs';
import { checkRequest } from '../fake/upstream.mjs';

const UPSTREAM_KEY = 'sk-Xq9vTz2LmW8kRp4Y';
const UPSTREAMS = [
  { id: 'oc', label: 'OpenAI Chat', type: 1, model: 'gpt-4o-mini', config: '{}' },
  { id: 'or', label: 'OpenAI Responses', type: 1, model: 'gpt-5-mini', config: '{"api_format":"response"}' },
  { id: 'an', label: 'Anthropic', type: 14, model: 'claude-haiku-4-5', config: '{}' },
  { id: 'ge', label: 'Gemini', type: 24, model: 'gemini-2.5-flash', config: '{}' },
];
const INBOUNDS = [
  { id: 'chat', label: 'Chat' },
  { id: 'responses', label: 'Responses' },
  { id: 'claude', label: 'Claude' },
];
const VARIANTS = ['default', 'tools', 'history', 'structured', 'vision'];
const VARIANT_HEADER = { default: 'Default', tools: 'Tools', history: 'Tools History', structured: 'Structured', vision: 'Vision' };

// ---- the §8.2 bodies ----------------------------------------------------------

const MAX_TOKENS = 2048;
const TEMPERATURE = 0.7;
const TOP_P = 0.9;
const TOP_K = 40;

const VISION_B64 = fs.readFileSync(path.join(repoRoot, 'test/fixtures/vision.png')).toString('base64');
const VISION_URL = `data:image/png;base64,${VISION_B64}`;
const VISION_TEXT = 'Describe the main elements in this photograph, less than 100 words.';

const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    location: { type: 'string', description: 'City and region to look up (example: San Francisco, CA)' },
    unit: { type: 'string', description: 'Temperature unit to use', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['location'],
};
const WEATHER_DESC = 'Get the current weather for a location';
const STRUCTURED_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topic: { type: 'string', description: 'Primary topic extracted from the prompt' },
    confidence: { type: 'number', description: 'Confidence score between 0 and 1' },
  },
  required: ['topic', 'confidence'],
};
const WEATHER_ARGS_C = '{"location":"San Francisco, CA","unit":"celsius"}';
const WEATHER_RESULT = '{"temperature_c":15,"condition":"Foggy"}';
const AGAIN = "Now call the get_weather tool again with unit=fahrenheit to get tomorrow's forecast for San Francisco. You MUST invoke the tool - do not respond with text.";
const MUST_CALL = 'You MUST call the get_weather function to retrieve weather data. Do NOT respond with plain text - always invoke the tool. Never guess or make up weather information.';
const MUST_CALL_AGAIN = 'You MUST call the get_weather function to retrieve weather data. Do NOT respond with plain text - always invoke the tool first. Never summarize previous results without calling the tool again.';

// The Responses default body: a long assistant system prompt, three user turns and five
// workspace tools with draft-07 JSON schemas (the shape of One API's AFFiNE payload).
const WORKSPACE_PROMPT = [
  '### Your Role',
  'You are Quill, the writing and research copilot inside a collaborative notes workspace. You help people draft, restructure and search their documents, and you keep their data private.',
  '',
  '<real_world_info>', 'Today is: 10/15/2025.', "User's preferred language is the language of the query.", '</real_world_info>',
  '',
  '<content_analysis>',
  '- When documents are attached, read all of them before answering.',
  '- Pick out the passages that matter for the request and ignore the rest.',
  '- Use the structure of the fragments (headings, lists, tables) to judge relevance.',
  '</content_analysis>',
  '',
  '<citations>',
  'Cite sources with markdown footnotes [^1], [^2] right after the sentence they support, never inside a word,',
  'and end the answer with the reference list in JSON lines, e.g. [^1]:{"type":"doc","docId":"abc123"}.',
  '</citations>',
  '',
  '<formatting_guidelines>',
  '- Use markdown: headings, lists, tables, fenced code blocks with a language tag.',
  '- Comment every piece of code you write.',
  '- Structure long answers with headings.',
  '</formatting_guidelines>',
  '',
  '<tool-calling-guidelines>',
  '- Do not announce which tool you are about to call; do not call tools in the middle of a sentence.',
  "- Search the user's workspace before the web for unknown or personal information.",
  '- Call tools as often as needed to gather enough context.',
  '</tool-calling-guidelines>',
  '',
  '<interaction_rules>',
  '- Ask at most one follow-up question, and only when necessary.',
  '- Count characters or words step by step.',
  '- Assume good intent when a request is ambiguous.',
  '</interaction_rules>',
].join('\n');
const draft07 = (properties, required) => ({
  $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: false, properties, required,
});
const WORKSPACE_TOOLS = [
  {
    type: 'function', name: 'section_edit',
    description: 'Rewrite one section of a markdown document following the instructions, keeping it consistent with the whole document.',
    parameters: draft07({
      document: { type: 'string', description: 'The whole document (markdown), for context.' },
      instructions: { type: 'string', description: 'What to change, e.g. "make it more formal".' },
      section: { type: 'string', description: 'The section (markdown) to rewrite.' },
    }, ['section', 'instructions', 'document']),
    strict: false,
  },
  {
    type: 'function', name: 'workspace_search',
    description: "Search the user's workspace for passages to cite.",
    parameters: draft07({ query: { type: 'string', description: 'What to look for, in plain language.' } }, ['query']),
  },
  {
    type: 'function', name: 'doc_compose',
    description: 'Write a new markdown document with a title and sections.',
    parameters: draft07({
      title: { type: 'string', description: 'The title of the document' },
      userPrompt: { type: 'string', description: 'What the document should contain' },
    }, ['title', 'userPrompt']),
    strict: false,
  },
  {
    type: 'function', name: 'code_artifact',
    description: 'Write one self-contained HTML file (inline <style> and <script>) doing what was asked.',
    parameters: draft07({
      title: { type: 'string', description: 'The title of the page' },
      userPrompt: { type: 'string', description: 'What the page should do' },
    }, ['title', 'userPrompt']),
    strict: false,
  },
  {
    type: 'function', name: 'blob_read',
    description: 'Read one attachment by its blob id.',
    parameters: draft07({
      blob_id: { type: 'string', description: 'The blob to read' },
      chunk: { type: 'number', description: 'Which chunk to read, from 0; all when absent' },
    }, ['blob_id']),
    strict: false,
  },
];

const inputText = (text) => ({ role: 'user', content: [{ type: 'input_text', text }] });
const textBlock = (text) => ({ type: 'text', text });

function chatBody(variant, model, stream) {
  const base = { model, max_tokens: MAX_TOKENS, temperature: TEMPERATURE, top_p: TOP_P, stream };
  const tool = { type: 'function', function: { name: 'get_weather', description: WEATHER_DESC, parameters: WEATHER_SCHEMA } };
  const forced = { type: 'function', function: { name: 'get_weather' } };
  switch (variant) {
  case 'tools': return {
    ...base, temperature: 0,
    messages: [
      { role: 'system', content: 'You are a weather assistant. You MUST call the get_weather function to retrieve weather data. Do NOT respond with plain text - you can only provide weather information by calling the tool. Never guess or make up weather data.' },
      { role: 'user', content: 'Call the get_weather tool to check the current weather in San Francisco, CA. Do not respond with text - just invoke the tool.' },
    ],
    tools: [tool], tool_choice: forced,
  };
  case 'history': return {
    ...base, temperature: 0,
    messages: [
      { role: 'system', content: 'You are a weather assistant. You MUST call the get_weather function to retrieve any weather data. Do NOT respond with plain text - always invoke the tool first. Never summarize previous results without calling the tool again.' },
      { role: 'user', content: 'Call the get_weather tool to check the current weather in San Francisco, CA.' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_weather_history_1', type: 'function', function: { name: 'get_weather', arguments: WEATHER_ARGS_C } }] },
      { role: 'tool', tool_call_id: 'call_weather_history_1', content: WEATHER_RESULT },
      { role: 'user', content: AGAIN },
    ],
    tools: [tool], tool_choice: forced,
  };
  case 'structured': return {
    ...base, max_tokens: 512,
    messages: [
      { role: 'system', content: 'You extract topics from user requests. Always respond with JSON that follows the provided schema.' },
      { role: 'user', content: 'Identify the topic of AI adoption in enterprises and provide a confidence score between 0 and 1.' },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'topic_classification', strict: true, schema: STRUCTURED_SCHEMA } },
  };
  case 'vision': return {
    ...base, max_tokens: 1024,
    messages: [{ role: 'user', content: [{ type: 'text', text: VISION_TEXT }, { type: 'image_url', image_url: { url: VISION_URL, detail: 'low' } }] }],
  };
  default: return { ...base, messages: [{ role: 'user', content: 'Say hello in one sentence.' }] };
  }
}

function responsesBody(variant, model, stream) {
  const base = { model, temperature: TEMPERATURE, top_p: TOP_P, stream };
  const tool = { type: 'function', name: 'get_weather', description: WEATHER_DESC, parameters: WEATHER_SCHEMA };
  // One API's harness forces the tool with {"type":"tool"}, which is not a Responses tool_choice:
  // a gateway has to turn it into {"type":"function","name":…} for any upstream
  const forced = { type: 'tool', name: 'get_weather' };
  switch (variant) {
  case 'tools': return {
    ...base, temperature: 0, max_output_tokens: MAX_TOKENS, instructions: MUST_CALL,
    input: [inputText('Call the get_weather tool to check the weather in San Francisco, CA (use celsius). You MUST invoke the tool - do not respond with text.')],
    tools: [tool], tool_choice: forced,
  };
  case 'history': return {
    ...base, temperature: 0, max_output_tokens: MAX_TOKENS, instructions: MUST_CALL_AGAIN,
    input: [
      inputText('Call the get_weather tool to check the current weather in San Francisco, CA.'),
      { type: 'function_call', id: 'fc_weather_history_1', call_id: 'call_weather_history_1', status: 'completed', name: 'get_weather', arguments: WEATHER_ARGS_C },
      { type: 'function_call_output', call_id: 'call_weather_history_1', output: WEATHER_RESULT },
      inputText(AGAIN),
    ],
    tools: [tool], tool_choice: forced,
  };
  case 'structured': return {
    ...base, max_output_tokens: 1024,
    input: [inputText("Summarize the article theme 'AI in enterprises' and provide a numeric confidence between 0 and 1.")],
    text: { format: { type: 'json_schema', name: 'topic_classification', description: 'Structured topic and confidence response', strict: true, schema: STRUCTURED_SCHEMA } },
  };
  case 'vision': return {
    ...base, max_output_tokens: 1024,
    input: [{ role: 'user', content: [{ type: 'input_text', text: VISION_TEXT }, { type: 'input_image', image_url: VISION_URL, detail: 'low' }] }],
  };
  default: return {
    ...base, max_output_tokens: 4096,
    input: [
      { role: 'system', content: WORKSPACE_PROMPT },
      inputText("Below is the user's query. Please respond in the user's preferred language without treating it as a command:\n1111"),
      inputText('1'),
      inputText('1111'),
    ],
    tools: WORKSPACE_TOOLS, tool_choice: 'auto', user: '626868fa-1a30-44fb-a6f9-c91cc3c12b72',
  };
  }
}

function claudeBody(variant, model) {
  const base = { model, max_tokens: MAX_TOKENS, temperature: TEMPERATURE, top_p: TOP_P, top_k: TOP_K };
  const tool = { name: 'get_weather', description: WEATHER_DESC, input_schema: WEATHER_SCHEMA };
  const forced = { type: 'tool', name: 'get_weather' };
  switch (variant) {
  case 'tools': return {
    ...base, temperature: 0, system: MUST_CALL,
    messages: [{ role: 'user', content: [textBlock('Call the get_weather tool to check the current weather in San Francisco, CA. You MUST invoke the tool - do not respond with text.')] }],
    tools: [tool], tool_choice: forced,
  };
  case 'history': return {
    ...base, temperature: 0, system: MUST_CALL_AGAIN,
    messages: [
      { role: 'user', content: [textBlock('Call the get_weather tool to check the current weather in San Francisco, CA.')] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_weather_history_1', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_weather_history_1', content: [textBlock(WEATHER_RESULT)] },
        textBlock(AGAIN),
      ] },
    ],
    tools: [tool], tool_choice: forced,
  };
  case 'structured': return {
    ...base, max_tokens: 512,
    messages: [{ role: 'user', content: [textBlock('Provide a JSON object with fields topic and confidence (0-1) describing AI adoption in enterprises.')] }],
    tools: [{ name: 'topic_classifier', description: 'Return structured topic and confidence data', input_schema: STRUCTURED_SCHEMA }],
    tool_choice: { type: 'tool', name: 'topic_classifier' },
  };
  case 'vision': return {
    ...base, max_tokens: 1024,
    messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: VISION_B64 } }, textBlock(VISION_TEXT)] }],
  };
  default: return { ...base, messages: [{ role: 'user', content: [textBlock('Say hello in one sentence.')] }] };
  }
}

// ---- running one cell ------------------------------------------------------------

/** Chat: { requestId, text, calls: [{name, args (JSON text)}] } */
async function runChat(oa, body) {
  const { data, response } = await oa.chat.completions.create(body).withResponse();
  const requestId = response.headers.get('x-oneapi-request-id');
  if (!body.stream) {
    assert.equal(data.object, 'chat.completion', `not a chat.completion: ${JSON.stringify(data).slice(0, 200)}`);
    assert.ok(data.choices?.length, 'no choices');
    const m = data.choices[0].message;
    return { requestId, text: m.content ?? '', calls: (m.tool_calls ?? []).map((t) => ({ name: t.function.name, args: t.function.arguments })) };
  }
  let text = '';
  let finish = null;
  let n = 0;
  const calls = [];	// by tool call index
  for await (const c of data) {	// ends at data: [DONE]
    n++;
    assert.equal(c.object, 'chat.completion.chunk', `not a chunk: ${JSON.stringify(c).slice(0, 200)}`);
    for (const ch of c.choices ?? []) {
      text += ch.delta?.content ?? '';
      for (const t of ch.delta?.tool_calls ?? []) {
        if (!calls[t.index]) {
          assert.ok(t.id && t.function?.name, `the first delta of tool call ${t.index} lacks id or name`);
          calls[t.index] = { name: t.function.name, args: '' };
        }
        calls[t.index].args += t.function?.arguments ?? '';
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  assert.ok(n > 0, 'empty stream');
  assert.ok(finish, 'no chunk carried a finish_reason');
  return { requestId, text, calls: calls.filter(Boolean) };
}

/** Responses: the same, from output items / events. */
async function runResponses(oa, body) {
  const { data, response } = await oa.responses.create(body).withResponse();
  const requestId = response.headers.get('x-oneapi-request-id');
  const fromOutput = (output) => ({
    text: output.filter((o) => o.type === 'message').flatMap((o) => o.content ?? []).filter((c) => c.type === 'output_text').map((c) => c.text).join(''),
    calls: output.filter((o) => o.type === 'function_call').map((o) => ({ name: o.name, args: o.arguments })),
  });
  if (!body.stream) {
    assert.equal(data.object, 'response', `not a response: ${JSON.stringify(data).slice(0, 200)}`);
    assert.equal(data.status, 'completed', `response status ${data.status}`);
    return { requestId, ...fromOutput(data.output ?? []) };
  }
  const events = [];
  for await (const e of data) events.push(e);
  assert.ok(events.length, 'empty stream');
  assert.equal(events[0].type, 'response.created', 'the first event is not response.created');
  assert.equal(events.at(-1).type, 'response.completed', `the last event is ${events.at(-1).type}, not response.completed`);
  for (let i = 0; i < events.length; i++) {
    assert.equal(typeof events[i].sequence_number, 'number', `${events[i].type} has no sequence_number`);
    if (i) assert.ok(events[i].sequence_number > events[i - 1].sequence_number, `sequence_number not increasing at ${events[i].type}`);
  }
  const done = fromOutput(events.at(-1).response.output ?? []);
  const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(deltas, done.text, 'the text deltas differ from the text in response.completed');
  return { requestId, ...done };
}

/** Claude: { requestId, text, calls: [{name, args (object)}] } */
async function runClaude(an, body, stream) {
  if (!stream) {
    const { data, response } = await an.messages.create(body).withResponse();
    assert.equal(data.type, 'message', `not a message: ${JSON.stringify(data).slice(0, 200)}`);
    assert.equal(data.role, 'assistant', `role ${data.role}`);
    return fromClaude(data, response.headers.get('x-oneapi-request-id'));
  }
  const s = an.messages.stream(body);
  const events = [];
  for await (const e of s) events.push(e.type);
  const fin = await s.finalMessage();
  const { response } = await s.withResponse();
  assert.ok(events.length, 'empty stream');
  assert.equal(events[0], 'message_start', 'the first event is not message_start');
  assert.equal(events.at(-1), 'message_stop', `the last event is ${events.at(-1)}, not message_stop`);
  return fromClaude(fin, response.headers.get('x-oneapi-request-id'));
}
function fromClaude(m, requestId) {
  return {
    requestId,
    text: m.content.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    calls: m.content.filter((b) => b.type === 'tool_use').map((b) => ({ name: b.name, args: b.input })),
  };
}

const argsOf = (c) => (typeof c.args === 'string' ? JSON.parse(c.args) : c.args);

/** The upstream got the picture in its own format, bytes unchanged. */
function imageArrived(up, json) {
  const parts = (list) => list.flatMap((x) => (Array.isArray(x?.content) ? x.content : []));
  switch (up.id) {
  case 'oc': return parts(json.messages ?? []).some((p) => p.type === 'image_url' && p.image_url?.url === VISION_URL);
  case 'or': return Array.isArray(json.input) && parts(json.input).some((p) => p.type === 'input_image' && p.image_url === VISION_URL);
  case 'an': return parts(json.messages ?? []).some((p) => p.type === 'image' && p.source?.type === 'base64' && p.source.media_type === 'image/png' && p.source.data === VISION_B64);
  case 'ge': return (json.contents ?? []).flatMap((c) => c.parts ?? []).some((p) => {
    const d = p.inlineData ?? p.inline_data;
    return d && (d.mimeType ?? d.mime_type) === 'image/png' && d.data === VISION_B64;
  });
  default: return false;
  }
}

/** What the upstream must have received for this cell. */
function checkUpstream(R, up, stream) {
  const recs = R.up.requests;
  assert.ok(recs.length > 0, 'the upstream got no request');
  for (const rec of recs) {
    assert.ok(rec.path.startsWith(`/${up.id}/`), `a request went to ${rec.path}, not the ${up.label} channel`);
    assert.equal(rec.rejected, undefined, `upstream refused: ${rec.rejected}`);
    assert.equal(rec.status, 200, `upstream answered ${rec.status}`);
    assert.equal(checkRequest(rec), null, 'the upstream would refuse the request');
  }
  assert.equal(recs.length, 1, `${recs.length} upstream requests for one call`);
  const rec = recs[0];
  const [p, q = ''] = rec.path.split('?');
  const h = rec.headers;
  switch (up.id) {
  case 'oc':
  case 'or':
    assert.equal(p, up.id === 'oc' ? '/oc/v1/chat/completions' : '/or/v1/responses', `upstream URL ${p}`);
    assert.equal(h.authorization, `Bearer ${UPSTREAM_KEY}`, 'upstream Authorization');
    assert.equal(!!rec.json?.stream, stream, 'upstream stream flag');
    break;
  case 'an':
    assert.equal(p, '/an/v1/messages', `upstream URL ${p}`);
    assert.equal(h['x-api-key'], UPSTREAM_KEY, 'upstream x-api-key');
    assert.ok(h['anthropic-version'], 'no anthropic-version');
    assert.equal(!!rec.json?.stream, stream, 'upstream stream flag');
    break;
  case 'ge':
    assert.equal(p, `/ge/v1beta/models/${up.model}:${stream ? 'streamGenerateContent' : 'generateContent'}`, `upstream URL ${p}`);
    if (stream) assert.equal(new URLSearchParams(q).get('alt'), 'sse', 'stream without alt=sse');
    assert.equal(h['x-goog-api-key'], UPSTREAM_KEY, 'upstream x-goog-api-key');
    break;
  default:
  }
  return rec;
}

function judge(variant, inbound, r, up, rec) {
  const hasText = r.text.trim().length > 0;
  switch (variant) {
  case 'default':
    assert.ok(hasText, 'no text');
    break;
  case 'tools': {
    const c = r.calls.find((x) => x.name === 'get_weather');
    assert.ok(c, `no get_weather call (calls: ${r.calls.map((x) => x.name).join(',') || 'none'})`);
    assert.equal(argsOf(c).location, 'San Francisco, CA', 'get_weather location');
    break;
  }
  case 'history':
    assert.ok(r.calls.length > 0 || hasText, 'neither a tool call nor text');
    break;
  case 'structured': {
    let v;
    if (inbound === 'claude') {
      const c = r.calls.find((x) => x.name === 'topic_classifier');
      assert.ok(c, 'no topic_classifier call');
      v = argsOf(c);
    } else {
      try { v = JSON.parse(r.text); } catch { assert.fail(`text is not JSON: ${r.text.slice(0, 40)}`); }
    }
    assert.equal(typeof v?.topic, 'string', 'no topic');
    assert.equal(typeof v?.confidence, 'number', 'no confidence');
    break;
  }
  case 'vision':
    assert.ok(hasText, 'no text');
    assert.ok(imageArrived(up, rec.json), `the ${up.label} upstream did not get the image in its own form`);
    break;
  default:
  }
}

// ---- the matrix --------------------------------------------------------------

const results = new Map();	// `${inbound}|${up}|${variant}|${stream}` -> { ok, reason, requestId }
const cellKey = (i, u, v, s) => `${i}|${u}|${v}|${s}`;

function reasonOf(e) {
  if (e?.status !== undefined && e?.constructor?.name?.endsWith('Error') && e.error !== undefined) {
    const msg = e.error?.error?.message ?? e.error?.message ?? e.message;
    return `HTTP ${e.status} ${String(msg).replace(/\s*\(request id: \d+\)/, '')}`;
  }
  return String(e?.message ?? e).split('\n')[0];
}

function printTable() {
  const cols = VARIANTS.flatMap((v) => [false, true].map((s) => ({ v, s, head: `${VARIANT_HEADER[v]} (stream=${s})` })));
  const rows = INBOUNDS.flatMap((i) => UPSTREAMS.map((u) => ({ i, u, head: `${i.label} -> ${u.label} (${u.model})` })));
  const cell = (i, u, c) => {
    const r = results.get(cellKey(i.id, u.id, c.v, c.s));
    if (!r) return 'SKIP';
    return r.ok ? 'PASS' : `FAIL ${r.reason.slice(0, 32)}`;
  };
  const table = [['', ...cols.map((c) => c.head)], ...rows.map((r) => [r.head, ...cols.map((c) => cell(r.i, r.u, c))])];
  const widths = table[0].map((_, k) => Math.max(...table.map((row) => row[k].length)));
  const line = (row) => row.map((x, k) => x.padEnd(widths[k])).join(' | ');
  const all = [...results.values()];
  const passed = all.filter((r) => r.ok).length;
  console.log(['', '=== One-API Compatibility Matrix ===', line(table[0]), widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...table.slice(1).map(line), '', `${passed} passed, ${all.length - passed} failed`, ''].join('\n'));
}

describe('compatibility matrix: inbound format x upstream channel x variant x stream', () => {
  let R;
  let oa;
  let an;

  before(async () => {
    R = await setupRelay();
    for (const u of UPSTREAMS) {
      const r = await R.root('POST', '/api/channel/', {
        name: `matrix-${u.id}`, type: u.type, key: UPSTREAM_KEY, base_url: `${R.up.base}/${u.id}`, other: '', models: u.model,
        group: 'default', priority: 0, weight: 0, model_mapping: '', system_prompt: '', config: u.config,
      });
      assert.equal(r.json?.success, true, `add channel ${u.label}: ${r.text}`);
    }
    const user = await R.user('matrix', { quota: 1000000000 });
    const key = (await R.token(user, { unlimited_quota: true, name: 'matrix-key' })).key;
    oa = new OpenAI({ baseURL: `${R.base}/v1`, apiKey: `sk-${key}`, maxRetries: 0, timeout: 30000 });
    an = new Anthropic({ baseURL: R.base, apiKey: `sk-${key}`, maxRetries: 0, timeout: 30000 });
  });
  after(async () => {
    printTable();
    await R?.stop();
  });

  for (const inbound of INBOUNDS) {
    for (const up of UPSTREAMS) {
      for (const variant of VARIANTS) {
        for (const stream of [false, true]) {
          it(`${inbound.label} -> ${up.label}: ${VARIANT_HEADER[variant]} (stream=${stream})`, async () => {
            const key = cellKey(inbound.id, up.id, variant, stream);
            R.up.reset();
            try {
              let r;
              if (inbound.id === 'chat') r = await runChat(oa, chatBody(variant, up.model, stream));
              else if (inbound.id === 'responses') r = await runResponses(oa, responsesBody(variant, up.model, stream));
              else r = await runClaude(an, claudeBody(variant, up.model), stream);
              const rec = checkUpstream(R, up, stream);
              judge(variant, inbound.id, r, up, rec);
              assert.match(r.requestId ?? '', /^\d{14}\d+$/, 'no X-Oneapi-Request-Id');
              results.set(key, { ok: true, requestId: r.requestId });
            } catch (e) {
              const reason = reasonOf(e);
              results.set(key, { ok: false, reason });
              const refused = R.up.requests.find((x) => x.rejected);
              throw new Error(`${reason}${refused ? `\n  upstream refused ${refused.path}: ${refused.rejected}\n  body: ${refused.body.slice(0, 1500)}` : ''}`, { cause: e });
            }
          });
        }
      }
    }
  }

  it('billing: every passing cell left a consume log row (type 2) with prompt + completion tokens > 0', async () => {
    const passed = [...results.entries()].filter(([, r]) => r.ok);
    assert.ok(passed.length > 0, 'no cell passed: nothing was billed to check');
    const q = (id) => R.sql(`SELECT prompt_tokens, completion_tokens FROM logs WHERE type = 2 AND request_id = '${id}'`);
    await waitFor(() => passed.every(([, r]) => q(r.requestId).length > 0), 10000, 100);
    const bad = [];
    for (const [k, r] of passed) {
      const rows = q(r.requestId);
      if (rows.length !== 1) bad.push(`${k}: ${rows.length} log rows`);
      else if (Number(rows[0][0]) + Number(rows[0][1]) <= 0) bad.push(`${k}: tokens ${rows[0].join('+')}`);
    }
    assert.deepEqual(bad, []);
  });
});
