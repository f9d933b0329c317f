// test/fake/providers.mjs: the provider-native endpoints of the fake upstream
// (test/fake/upstream.mjs). When nothing is scripted or routed, a request to
//   …/v1/messages, …/v1/messages/count_tokens       Anthropic Messages
//   …/v1/responses                                   OpenAI Responses
//   …/models/{model}:generateContent                 Google Gemini (AI Studio)
//   …/models/{model}:streamGenerateContent[?alt=sse]
//   …/chat/completions with a forced tool_choice, a json_schema/json_object
//     response_format, image parts or tools other than the recordings'
//     get_capital                                    OpenAI Chat
// is checked the way the real API checks it (what FORMATS.md and the recorded
// traffic show; the messages are the real ones where known) and answered
// either with that API's error (400; 401/403 for a missing key, as the real
// APIs do) or in the recorded shape with the content substituted:
//   * tools present and not switched off: a call of the forced tool, else of
//     the tool named in the last user text, else of the first tool, with
//     arguments that fit its schema (get_weather -> {"location":"San
//     Francisco, CA","unit":"celsius"|"fahrenheit" when the user says
//     fahrenheit}, ping -> {}, topic_classifier -> {"topic":"AI adoption in
//     enterprises","confidence":0.87}); when the choice is only "auto" a short
//     text ("I'll call …") comes first, as real models often do;
//   * a JSON schema / JSON mode: JSON text fitting the schema
//     ({"topic":"AI adoption in enterprises","confidence":0.87});
//   * an image in the last user turn: a description naming its size and format
//     (read from the image bytes, so it proves they arrived intact);
//   * otherwise a one-sentence greeting.
// Streams are built event by event like the recordings: Anthropic with
// `event:` lines, a ping, `data:` JSON padded with spaces before the last
// brace; Responses with `event:` lines and sequence_number 0,1,2,…; Gemini
// `data:` chunks separated by CRLF CRLF with Python-style `": "` JSON; Chat
// `data:` chunks (usage:null on each and a usage chunk only when
// stream_options.include_usage) and `data: [DONE]`.
//
// An answer object here is an answer for upstream.mjs (status, json / text /
// sseText, type, headers) plus `rejected` (the error message, when the request
// was refused) and `warnings` (accepted, but worth a look).
import crypto from 'node:crypto';

// ---- small helpers -------------------------------------------------------

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v) => typeof v === 'string';
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function rid(n = 24) {
	let s = '';
	for (const b of crypto.randomBytes(n)) s += ALNUM[b % 62];
	return s;
}
const hex = (n) => crypto.randomBytes(n).toString('hex');
/** A rough token count (4 bytes a token), at least 1. */
export const tokens = (v) => Math.max(1, Math.ceil(Buffer.byteLength(isStr(v) ? v : JSON.stringify(v ?? '')) / 4));
const now = () => Math.floor(Date.now() / 1000);

/** Split s into up to n pieces (at least one, possibly empty). */
function pieces(s, n = 3) {
	if (s.length <= 1) return [s];
	const size = Math.ceil(s.length / n);
	const out = [];
	for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
	return out;
}
/** Split a JSON text into small fragments, as argument deltas arrive. */
function fragments(s, size = 7) {
	const out = [];
	for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
	return out.length ? out : [''];
}

/** A refusal thrown by the validators; the endpoint turns it into its error shape. */
class Bad {
	constructor(message, extra = {}) {
		this.message = message;
		Object.assign(this, extra);
	}
}
const bad = (message, extra) => { throw new Bad(message, extra); };

// ---- images --------------------------------------------------------------

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Decode strict base64, or null. */
export function b64(s) {
	if (!isStr(s) || s.length === 0 || s.length % 4 !== 0 || !B64_RE.test(s)) return null;
	return Buffer.from(s, 'base64');
}

/** Format and size of an image from its bytes: { mime, fmt, w, h } or null. */
export function imageInfo(buf) {
	if (!buf || buf.length < 12) return null;
	if (buf.readUInt32BE(0) === 0x89504e47 && buf.length >= 24) return { mime: 'image/png', fmt: 'PNG', w: buf.readUInt32BE(16), h: buf.readUInt32BE(20) };
	if (buf[0] === 0xff && buf[1] === 0xd8) {
		let i = 2;
		while (i + 9 < buf.length) {
			if (buf[i] !== 0xff) { i++; continue; }
			const m = buf[i + 1];
			if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
				return { mime: 'image/jpeg', fmt: 'JPEG', h: buf.readUInt16BE(i + 5), w: buf.readUInt16BE(i + 7) };
			}
			i += 2 + buf.readUInt16BE(i + 2);
		}
		return { mime: 'image/jpeg', fmt: 'JPEG', w: 0, h: 0 };
	}
	const head = buf.subarray(0, 6).toString('latin1');
	if (head === 'GIF87a' || head === 'GIF89a') return { mime: 'image/gif', fmt: 'GIF', w: buf.readUInt16LE(6), h: buf.readUInt16LE(8) };
	if (buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WEBP') return { mime: 'image/webp', fmt: 'WEBP', w: 0, h: 0 };
	return null;
}

/** "data:image/png;base64,XXXX" -> { mime, data, buf } or null. */
export function parseDataUrl(url) {
	const m = /^data:([^;,]+);base64,(.*)$/s.exec(url ?? '');
	if (!m) return null;
	return { mime: m[1], data: m[2], buf: b64(m[2]) };
}

function describeImage(info) {
	const what = info ? `a ${info.w ? `${info.w}x${info.h} ` : ''}${info.fmt} image` : 'an image';
	return `The picture is ${what}. Its main elements are a few flat blocks of colour on a plain background; there are no people or text in it.`;
}

// ---- what to answer --------------------------------------------------------

export const MATRIX_ARGS = {
	get_weather: { location: 'San Francisco, CA', unit: 'celsius' },
	ping: {},
	topic_classifier: { topic: 'AI adoption in enterprises', confidence: 0.87 },
};
// sample values by property name (strings unless noted)
const SAMPLES = {
	location: 'San Francisco, CA', topic: 'AI adoption in enterprises', confidence: 0.87, unit: 'celsius',
	command: 'ls -la', description: 'List the files in the working directory', file_path: '/home/user/project/README.md',
	path: '/home/user/project', pattern: '**/*.js', query: 'AI adoption in enterprises', url: 'https://example.com/',
	prompt: 'Summarise the repository layout', old_string: 'foo', new_string: 'bar', content: 'hello world',
	title: 'AI adoption in enterprises', country: 'France', city: 'San Francisco',
};

/** A value that fits a JSON schema (or Gemini OpenAPI schema). */
export function sampleFor(schema, key, ctx = {}) {
	if (ctx.command && (key === 'command' || key === 'cmd')) {
		const t = isObj(schema) ? (Array.isArray(schema.type) ? schema.type[0] : schema.type) : 'string';
		if (t === 'array') return ['bash', '-lc', ctx.command];
		return ctx.command;
	}
	if (!isObj(schema)) return has(SAMPLES, key ?? '') ? SAMPLES[key] : 'example';
	if (has(schema, 'const')) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length) {
		if (key === 'unit' && ctx.fahrenheit && schema.enum.includes('fahrenheit')) return 'fahrenheit';
		return schema.enum[0];
	}
	let type = schema.type;
	if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
	type = isStr(type) ? type.toLowerCase() : undefined;
	const alt = schema.anyOf ?? schema.oneOf ?? schema.any_of;
	if (!type && Array.isArray(alt) && alt.length) return sampleFor(alt.find((s) => s?.type !== 'null') ?? alt[0], key, ctx);
	if (!type && (schema.properties || schema.required)) type = 'object';
	switch (type) {
	case 'object': {
		const props = isObj(schema.properties) ? schema.properties : {};
		const req = Array.isArray(schema.required) ? schema.required : [];
		const out = {};
		for (const k of Object.keys(props)) {
			if (req.includes(k) || has(SAMPLES, k)) out[k] = sampleFor(props[k], k, ctx);
		}
		for (const k of req) if (!has(out, k)) out[k] = sampleFor(undefined, k, ctx);
		return out;
	}
	case 'array': {
		const n = Math.max(1, Number(schema.minItems ?? schema.min_items ?? 1) || 1);
		return Array.from({ length: n }, () => sampleFor(schema.items, key, ctx));
	}
	case 'number': return isNum(SAMPLES[key]) ? SAMPLES[key] : (isNum(schema.minimum) ? schema.minimum : 1);
	case 'integer': return isNum(schema.minimum) ? Math.ceil(schema.minimum) : 1;
	case 'boolean': return false;
	case 'null': return null;
	default: return has(SAMPLES, key ?? '') ? SAMPLES[key] : 'example';
	}
}

/** The arguments of a call of `name` (schema = its parameters). */
export function argsFor(name, schema, ctx = {}) {
	if (name === 'get_weather') return { location: 'San Francisco, CA', unit: ctx.fahrenheit ? 'fahrenheit' : 'celsius' };
	if (has(MATRIX_ARGS, name)) return MATRIX_ARGS[name];
	const v = sampleFor(schema ?? { type: 'object' }, undefined, ctx);
	return isObj(v) ? v : {};
}

// ---- agents: "Run the command `…`" --------------------------------------------
// A user text asking to "run the command `CMD`" makes the fake act like a
// coding model: it calls the client's shell tool (a tool whose schema has a
// `command` or `cmd` property: Claude Code's Bash, Codex's exec_command,
// OpenCode's bash) with CMD, and once the conversation ends with that
// call's result, answers "The command printed: <its last line>" (Codex
// wraps the output in a few lines of its own). The facts come
// from the request in each format (agentFacts). A last user text "Say
// hello." gets the greeting even when tools are offered.

const COMMAND_RE = /run the command `([^`]+)`/i;
const isShellTool = (t) => isObj(t.schema?.properties) && (has(t.schema.properties, 'command') || has(t.schema.properties, 'cmd'));

const textOf = (c) => {
	if (isStr(c)) return c;
	if (!Array.isArray(c)) return '';
	return c.map((b) => (isStr(b?.text) ? b.text : isStr(b?.content) ? b.content : Array.isArray(b?.content) ? textOf(b.content) : '')).join('\n');
};

/** { command, result } of the conversation in json, for format kind. */
export function agentFacts(kind, json) {
	const out = {};
	if (!isObj(json)) return out;
	let users = [];
	let result;
	if (kind === 'chat') {
		const msgs = Array.isArray(json.messages) ? json.messages : [];
		users = msgs.filter((m) => m?.role === 'user').map((m) => textOf(m.content));
		const last = msgs.at(-1);
		if (last?.role === 'tool') result = textOf(last.content);
	} else if (kind === 'anthropic') {
		const msgs = Array.isArray(json.messages) ? json.messages : [];
		users = msgs.filter((m) => m?.role === 'user').map((m) => textOf(Array.isArray(m.content) ? m.content.filter((b) => b?.type === 'text') : m.content));
		const last = msgs.at(-1);
		const res = Array.isArray(last?.content) ? last.content.filter((b) => b?.type === 'tool_result') : [];
		if (last?.role === 'user' && res.length) result = res.map((b) => textOf(isStr(b.content) ? b.content : b.content ?? '')).join('\n');
	} else if (kind === 'responses') {
		const items = Array.isArray(json.input) ? json.input : [];
		users = items.filter((it) => it?.role === 'user').map((it) => textOf(it.content));
		const last = items.at(-1);
		if (last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output') result = textOf(last.output);
	} else if (kind === 'gemini') {
		const cs = Array.isArray(json.contents) ? json.contents : [];
		users = cs.filter((c) => c?.role !== 'model').map((c) => (Array.isArray(c.parts) ? c.parts.map((p) => p?.text ?? '').join('\n') : ''));
		const fr = (cs.at(-1)?.parts ?? []).map((p) => p?.functionResponse ?? p?.function_response).filter(Boolean);
		if (fr.length) result = fr.map((f) => { const r = f.response ?? {}; return isStr(r.output) ? r.output : isStr(r.content) ? r.content : isStr(r.result) ? r.result : JSON.stringify(r); }).join('\n');
	}
	for (const u of users) {
		const m = COMMAND_RE.exec(u);
		if (m) out.command = m[1];
	}
	// Claude Code may add a <system-reminder> to a tool's output: not part of it
	if (out.command && result !== undefined) out.result = result.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '');
	return out;
}

/** Which tool to call: the forced one, one the user names, or the first. */
function pickTool(tools, forced, lastText) {
	if (forced) return tools.find((t) => t.name === forced) ?? tools[0];
	const said = tools.find((t) => new RegExp(`\\b${t.name.replace(/[^A-Za-z0-9_]/g, '.')}\\b`).test(lastText ?? ''));
	return said ?? tools[0];
}

const GREETING = 'Hello! It is nice to meet you, and I hope you are having a wonderful day.';

/**
 * The content of an answer, format-neutral:
 * { text?, call?: {name, args}, preamble?: bool } from
 * tools [{name, schema}], mode ('none'|'auto'|'forced'), forced name,
 * json schema (or true for JSON mode), image info, last user text.
 */
function plan({ tools = [], mode = 'auto', forced, jsonSchema, image, lastText = '', agent = {} }) {
	const ctx = { fahrenheit: /fahrenheit/i.test(lastText), command: agent.command };
	// an agent's task: once the command's output is back, say what it printed
	if (agent.command && agent.result !== undefined && mode !== 'forced') return { text: `The command printed: ${agent.result.trim().split('\n').at(-1).trim()}` };
	// "Say hello." to an agent with tools: a plain answer, as a model would give
	if (/(^|\n)"?say hello\.?"?$/i.test(lastText.trim()) && mode !== 'forced') return { text: GREETING };
	if (tools.length && mode !== 'none') {
		const shell = agent.command && !forced ? tools.find(isShellTool) : undefined;
		const t = shell ?? pickTool(tools, forced, lastText);
		const call = { name: t.name, args: argsFor(t.name, t.schema, ctx) };
		if (mode === 'forced') return { call };
		return { text: `I'll call ${t.name} to help with that.`, call };
	}
	if (jsonSchema) {
		const v = jsonSchema === true ? MATRIX_ARGS.topic_classifier : sampleFor(jsonSchema, undefined, ctx);
		return { text: JSON.stringify(v) };
	}
	if (image !== undefined) return { text: describeImage(image) };
	return { text: GREETING };
}

// ---- Anthropic Messages ----------------------------------------------------

const ANTH_KEYS = new Set(['model', 'max_tokens', 'messages', 'system', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
	'tools', 'tool_choice', 'thinking', 'metadata', 'service_tier', 'cache_control', 'output_config', 'output_format', 'container',
	'mcp_servers', 'context_management', 'inference_geo']);
const ANTH_COUNT_KEYS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'cache_control', 'output_config',
	'output_format', 'mcp_servers', 'context_management']);
const ANTH_BLOCKS = ['text', 'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking',
	'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result',
	'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result', 'tool_search_tool_result',
	'mcp_tool_use', 'mcp_tool_result', 'container_upload'];
const ANTH_BLOCK_KEYS = {
	text: ['type', 'text', 'cache_control', 'citations'],
	image: ['type', 'source', 'cache_control'],
	document: ['type', 'source', 'title', 'context', 'citations', 'cache_control'],
	tool_use: ['type', 'id', 'name', 'input', 'cache_control', 'caller'],
	tool_result: ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'],
	thinking: ['type', 'thinking', 'signature'],
	redacted_thinking: ['type', 'data'],
};
const ANTH_ID_RE = /^[a-zA-Z0-9_-]+$/;
// 2026-10-21 is what @anthropic-ai/sdk >= 1.0 sends; the answers are the 2023-06-01 shapes it also parses
const ANTH_VERSIONS = ['2023-06-01', '2023-01-01', '2026-10-21'];
const ANTH_TOOL_NAME_RE = /^[a-zA-Z0-9_-]{1,128}$/;
const ANTH_MEDIA = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const tagList = (l) => l.map((t) => `'${t}'`).join(', ');

function anthCache(cc, where, count) {
	if (cc === undefined) return;
	if (!isObj(cc) || cc.type !== 'ephemeral') bad(`${where}.cache_control.type: Input should be 'ephemeral'`);
	if (cc.ttl !== undefined && cc.ttl !== '5m' && cc.ttl !== '1h') bad(`${where}.cache_control.ttl: Input should be '5m' or '1h'`);
	count.n++;
}

function anthImageSource(src, where) {
	if (!isObj(src)) bad(`${where}.source: Field required`);
	if (src.type === 'base64') {
		if (!ANTH_MEDIA.includes(src.media_type)) bad(`${where}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
		const buf = b64(src.data);
		if (!buf) bad(`${where}.source.base64.data: The image data is not valid base64`);
		const info = imageInfo(buf);
		if (!info) bad(`${where}.source.base64.data: Could not process image`);
		if (info.mime !== src.media_type) bad(`${where}.source.base64.data: Image does not match the provided media type ${src.media_type}`);
		return info;
	}
	if (src.type === 'url') {
		if (!isStr(src.url) || !/^https?:\/\//.test(src.url)) bad(`${where}.source.url.url: Input should be a valid URL`);
		return null;
	}
	if (src.type === 'file') {
		if (!isStr(src.file_id)) bad(`${where}.source.file.file_id: Field required`);
		return null;
	}
	bad(`${where}.source: Input tag '${src.type}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`);
}

function anthBlock(b, where, role, count) {
	if (!isObj(b)) bad(`${where}: Input should be a valid dictionary or object to extract fields from`);
	if (!ANTH_BLOCKS.includes(b.type)) bad(`${where}: Input tag '${b.type}' found using 'type' does not match any of the expected tags: ${tagList(ANTH_BLOCKS)}`);
	const keys = ANTH_BLOCK_KEYS[b.type];
	if (keys) for (const k of Object.keys(b)) if (!keys.includes(k)) bad(`${where}.${b.type}.${k}: Extra inputs are not permitted`);
	anthCache(b.cache_control, `${where}.${b.type}`, count);
	switch (b.type) {
	case 'text':
		if (!isStr(b.text)) bad(`${where}.text.text: Input should be a valid string`);
		if (!b.text.trim()) bad('messages: text content blocks must contain non-whitespace text');
		break;
	case 'image':
		anthImageSource(b.source, `${where}.image`);
		break;
	case 'document':
		if (!isObj(b.source) || !['base64', 'text', 'url', 'content', 'file'].includes(b.source.type)) bad(`${where}.document.source: Input tag '${b.source?.type}' found using 'type' does not match any of the expected tags: 'base64', 'text', 'content', 'url', 'file'`);
		break;
	case 'tool_use':
		if (role !== 'assistant') bad(`${where}: tool_use blocks may only be sent in assistant messages`);
		if (!isStr(b.id) || !ANTH_ID_RE.test(b.id)) bad(`${where}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
		if (!isStr(b.name) || !b.name) bad(`${where}.tool_use.name: Field required`);
		if (!isObj(b.input)) bad(`${where}.tool_use.input: Input should be a valid dictionary`);
		break;
	case 'tool_result':
		if (role !== 'user') bad(`${where}: tool_result blocks may only be sent in user messages`);
		if (!isStr(b.tool_use_id) || !ANTH_ID_RE.test(b.tool_use_id)) bad(`${where}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
		if (b.is_error !== undefined && typeof b.is_error !== 'boolean') bad(`${where}.tool_result.is_error: Input should be a valid boolean`);
		if (Array.isArray(b.content)) {
			b.content.forEach((c, k) => {
				if (!isObj(c) || !['text', 'image', 'document', 'search_result'].includes(c.type)) bad(`${where}.tool_result.content.${k}: Input tag '${c?.type}' found using 'type' does not match any of the expected tags: 'text', 'image', 'search_result', 'document'`);
				anthBlock(c, `${where}.tool_result.content.${k}`, role, count);
			});
		} else if (b.content !== undefined && !isStr(b.content)) {
			bad(`${where}.tool_result.content: Input should be a valid string or a valid list`);
		}
		break;
	case 'thinking':
		if (role !== 'assistant') bad(`${where}: thinking blocks may only be sent in assistant messages`);
		if (!isStr(b.thinking)) bad(`${where}.thinking.thinking: Field required`);
		if (!isStr(b.signature)) bad(`${where}.thinking.signature: Field required`);
		break;
	case 'redacted_thinking':
		if (!isStr(b.data)) bad(`${where}.redacted_thinking.data: Field required`);
		break;
	default:
	}
}

/** Check an Anthropic request; throws Bad. Returns facts the answer needs. */
export function anthropicCheck(headers, json, { count = false } = {}) {
	// an API key in x-api-key, or (as @anthropic-ai/sdk >= 1.0 sends it) as a Bearer token
	if (!headers['x-api-key'] && !/^Bearer \S/.test(headers.authorization ?? '')) bad('x-api-key header is required', { status: 401, type: 'authentication_error' });
	const ver = headers['anthropic-version'];
	if (!ver) bad('anthropic-version: header is required');
	if (!ANTH_VERSIONS.includes(ver)) bad(`anthropic-version: invalid version '${ver}'; known versions: ${ANTH_VERSIONS.join(', ')}`);
	if (!isObj(json)) bad('There was an error parsing the body of your request: not a JSON object');
	const allowed = count ? ANTH_COUNT_KEYS : ANTH_KEYS;
	for (const k of Object.keys(json)) if (!allowed.has(k)) bad(`${k}: Extra inputs are not permitted`);
	if (!isStr(json.model) || !json.model) bad('model: Field required');
	if (!count) {
		if (!has(json, 'max_tokens')) bad('max_tokens: Field required');
		if (!Number.isInteger(json.max_tokens)) bad('max_tokens: Input should be a valid integer');
		if (json.max_tokens < 1) bad('max_tokens: Input should be greater than or equal to 1');
	}
	if (json.stream !== undefined && typeof json.stream !== 'boolean') bad('stream: Input should be a valid boolean');
	for (const [k, max] of [['temperature', 1], ['top_p', 1]]) {
		if (json[k] === undefined) continue;
		if (!isNum(json[k])) bad(`${k}: Input should be a valid number`);
		if (json[k] < 0) bad(`${k}: Input should be greater than or equal to 0`);
		if (json[k] > max) bad(`${k}: Input should be less than or equal to ${max}`);
	}
	if (json.top_k !== undefined && !(Number.isInteger(json.top_k) && json.top_k >= 0)) bad('top_k: Input should be a valid integer greater than or equal to 0');
	if (json.stop_sequences !== undefined && !(Array.isArray(json.stop_sequences) && json.stop_sequences.every(isStr))) bad('stop_sequences: Input should be a valid list of strings');
	if (json.metadata !== undefined) {
		if (!isObj(json.metadata)) bad('metadata: Input should be a valid dictionary');
		for (const k of Object.keys(json.metadata)) if (k !== 'user_id') bad(`metadata.${k}: Extra inputs are not permitted`);
		if (json.metadata.user_id !== undefined && json.metadata.user_id !== null && !isStr(json.metadata.user_id)) bad('metadata.user_id: Input should be a valid string');
	}
	const cc = { n: 0 };

	// system
	if (json.system !== undefined) {
		if (Array.isArray(json.system)) {
			json.system.forEach((b, k) => {
				if (!isObj(b) || b.type !== 'text') bad(`system.${k}.type: Input should be 'text'`);
				for (const key of Object.keys(b)) if (!ANTH_BLOCK_KEYS.text.includes(key)) bad(`system.${k}.${key}: Extra inputs are not permitted`);
				if (!isStr(b.text) || !b.text.trim()) bad('system: text content blocks must contain non-whitespace text');
				anthCache(b.cache_control, `system.${k}`, cc);
			});
		} else if (!isStr(json.system)) {
			bad('system: Input should be a valid string or a valid list');
		}
	}

	// tools
	const tools = [];
	if (json.tools !== undefined) {
		if (!Array.isArray(json.tools)) bad('tools: Input should be a valid list');
		const names = new Set();
		json.tools.forEach((t, k) => {
			if (!isObj(t)) bad(`tools.${k}: Input should be a valid dictionary`);
			if (t.type !== undefined && t.type !== null && t.type !== 'custom') {
				if (!/^[a-z_]+_\d{8}$/.test(String(t.type))) bad(`tools.${k}: Input tag '${t.type}' found using 'type' does not match any of the expected tags: 'custom', 'bash_20250124', 'text_editor_20250728', 'web_search_20250305', …`);
				return;	// a server tool
			}
			for (const key of Object.keys(t)) {
				if (!['name', 'description', 'input_schema', 'cache_control', 'type', 'strict', 'defer_loading', 'input_examples', 'allowed_callers', 'eager_input_streaming'].includes(key)) bad(`tools.${k}.custom.${key}: Extra inputs are not permitted`);
			}
			if (!isStr(t.name)) bad(`tools.${k}.custom.name: Field required`);
			if (!ANTH_TOOL_NAME_RE.test(t.name)) bad(`tools.${k}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
			if (!has(t, 'input_schema')) bad(`tools.${k}.custom.input_schema: Field required`);
			if (!isObj(t.input_schema)) bad(`tools.${k}.custom.input_schema: Input should be a valid dictionary`);
			if (t.input_schema.type !== 'object') bad(`tools.${k}.custom.input_schema.type: Input should be 'object'`);
			if (t.description !== undefined && !isStr(t.description)) bad(`tools.${k}.custom.description: Input should be a valid string`);
			if (names.has(t.name)) bad('tools: Tool names must be unique.');
			names.add(t.name);
			anthCache(t.cache_control, `tools.${k}.custom`, cc);
			tools.push({ name: t.name, schema: t.input_schema });
		});
	}

	// tool_choice
	const tc = json.tool_choice;
	if (tc !== undefined) {
		if (!isObj(tc)) bad('tool_choice: Input should be a valid dictionary or object to extract fields from');
		if (!['auto', 'any', 'tool', 'none'].includes(tc.type)) bad(`tool_choice: Input tag '${tc.type}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`);
		for (const key of Object.keys(tc)) {
			if (!['type', 'name', 'disable_parallel_tool_use'].includes(key) || (key === 'name' && tc.type !== 'tool')) bad(`tool_choice.${tc.type}.${key}: Extra inputs are not permitted`);
		}
		if (tc.type === 'tool') {
			if (!isStr(tc.name)) bad('tool_choice.tool.name: Field required');
			if (!tools.some((t) => t.name === tc.name)) bad(`tool_choice: Tool '${tc.name}' not found in tools`);
		}
		if ((tc.type === 'any' || tc.type === 'tool') && !json.tools?.length) bad('tool_choice: tool_choice may only be specified while providing tools');
		if (tc.disable_parallel_tool_use !== undefined && typeof tc.disable_parallel_tool_use !== 'boolean') bad(`tool_choice.${tc.type}.disable_parallel_tool_use: Input should be a valid boolean`);
	}

	// thinking
	const th = json.thinking;
	let thinking = false;
	if (th !== undefined) {
		if (!isObj(th) || !['enabled', 'disabled', 'adaptive'].includes(th.type)) bad(`thinking: Input tag '${th?.type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`);
		if (th.type === 'enabled') {
			if (!Number.isInteger(th.budget_tokens)) bad('thinking.enabled.budget_tokens: Field required');
			if (th.budget_tokens < 1024) bad('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
			if (!count && th.budget_tokens >= json.max_tokens) bad('`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size');
		}
		thinking = th.type !== 'disabled';
		if (thinking) {
			if (json.temperature !== undefined && json.temperature !== 1) bad('`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility');
			if (json.top_k !== undefined) bad('`top_k` is not supported when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility');
			if (tc && (tc.type === 'any' || tc.type === 'tool')) bad('Thinking may not be enabled when tool_choice forces tool use.');
		}
	}

	// structured output
	let jsonSchema;
	for (const k of ['output_config', 'output_format']) {
		const v = json[k];
		if (v === undefined) continue;
		if (!isObj(v)) bad(`${k}: Input should be a valid dictionary`);
		const f = k === 'output_format' ? v : v.format;
		if (f !== undefined && f !== null) {
			if (!isObj(f) || f.type !== 'json_schema') bad(`${k}${k === 'output_config' ? '.format' : ''}.type: Input should be 'json_schema'`);
			if (!isObj(f.schema)) bad(`${k}${k === 'output_config' ? '.format' : ''}.schema: Field required`);
			jsonSchema = f.schema;
		}
	}

	// messages
	if (!has(json, 'messages')) bad('messages: Field required');
	if (!Array.isArray(json.messages)) bad('messages: Input should be a valid list');
	if (json.messages.length === 0) bad('messages: at least one message is required');
	const merged = [];	// consecutive same-role messages are merged, as the API does
	json.messages.forEach((m, i) => {
		if (!isObj(m)) bad(`messages.${i}: Input should be a valid dictionary`);
		if (m.role === 'system') {
			// system turns inside messages only with the beta Claude Code uses
			if (!/mid-conversation-system/.test(headers['anthropic-beta'] ?? '')) bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
			if (!isStr(m.content) && !(Array.isArray(m.content) && m.content.every((b) => isObj(b) && b.type === 'text' && isStr(b.text)))) bad(`messages.${i}.content: system turns take a string or text blocks`);
			return;
		}
		if (m.role !== 'user' && m.role !== 'assistant') bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
		for (const k of Object.keys(m)) if (k !== 'role' && k !== 'content') bad(`messages.${i}.${k}: Extra inputs are not permitted`);
		if (!has(m, 'content')) bad(`messages.${i}.content: Field required`);
		const final = i === json.messages.length - 1 && m.role === 'assistant';
		let blocks;
		if (isStr(m.content)) {
			if (!m.content && !final) bad(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
			blocks = m.content ? [{ type: 'text', text: m.content }] : [];
		} else if (Array.isArray(m.content)) {
			if (!m.content.length && !final) bad(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
			m.content.forEach((b, j) => anthBlock(b, `messages.${i}.content.${j}`, m.role, cc));
			blocks = m.content;
		} else {
			bad(`messages.${i}.content: Input should be a valid string or a valid list`);
		}
		if (merged.length && merged.at(-1).role === m.role) merged.at(-1).blocks.push(...blocks);
		else merged.push({ role: m.role, blocks, i });
	});
	if (merged[0].role !== 'user') bad('messages: first message must use the "user" role');
	merged.forEach((m, k) => {
		if (m.role !== 'user') return;
		const results = m.blocks.filter((b) => b.type === 'tool_result');
		if (!results.length) return;
		const firstOther = m.blocks.findIndex((b) => b.type !== 'tool_result');
		if (firstOther >= 0 && m.blocks.slice(firstOther).some((b) => b.type === 'tool_result')) {
			bad(`messages.${m.i}: \`tool_result\` blocks must come first in the content array: put every \`tool_result\` block before other content blocks.`);
		}
		const prev = merged[k - 1];
		const ids = new Set(prev ? prev.blocks.filter((b) => b.type === 'tool_use').map((b) => b.id) : []);
		for (const r of results) {
			if (!ids.has(r.tool_use_id)) bad(`messages.${m.i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${r.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
		}
	});
	const seen = new Set();
	merged.forEach((m, k) => {
		if (m.role === 'assistant') {
			const uses = m.blocks.filter((b) => b.type === 'tool_use');
			for (const u of uses) {
				if (seen.has(u.id)) bad(`messages.${m.i}: \`tool_use\` ids must be unique`);
				seen.add(u.id);
			}
			const next = merged[k + 1];
			if (uses.length && next) {
				const got = new Set(next.blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id));
				const missing = uses.map((u) => u.id).filter((id) => !got.has(id));
				if (missing.length) bad(`messages.${next.i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
			}
		}
	});
	if (cc.n > 4) bad(`A maximum of 4 blocks with cache_control may be provided. Found ${cc.n}.`);

	// what the answer needs
	const last = merged.findLast((m) => m.role === 'user');
	const lastText = last.blocks.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
	const img = last.blocks.find((b) => b.type === 'image' && b.source?.type === 'base64');
	let mode = 'auto';
	if (tc?.type === 'none') mode = 'none';
	if (tc?.type === 'any' || tc?.type === 'tool') mode = 'forced';
	return {
		tools, mode, forced: tc?.type === 'tool' ? tc.name : undefined, jsonSchema, thinking, lastText,
		image: img ? imageInfo(b64(img.source.data)) : (last.blocks.some((b) => b.type === 'image') ? null : undefined),
	};
}

const anthError = (status, type, message) => {
	const id = `req_011C${rid(20)}`;
	return { status, json: { type: 'error', error: { type, message }, request_id: id }, headers: { 'request-id': id }, rejected: message };
};

/** Padding like the recordings: spaces inside the object before its last brace. */
let padTurn = 0;
function anthData(obj) {
	const s = JSON.stringify(obj);
	padTurn = (padTurn + 5) % 9;
	return `${s.slice(0, -1)}${' '.repeat(padTurn + 4)}}`;
}
const anthEvent = (type, obj) => `event: ${type}\ndata: ${anthData(obj)}\n\n`;

function anthropicAnswer(json, facts) {
	const p = plan({ ...facts, agent: agentFacts('anthropic', json) });
	const content = [];
	if (facts.thinking) content.push({ type: 'thinking', thinking: 'The user wants a short answer; I will keep it brief.', signature: crypto.randomBytes(96).toString('base64') });
	if (p.text !== undefined) content.push({ type: 'text', text: p.text });
	if (p.call) content.push({ type: 'tool_use', id: `toolu_01${rid(22)}`, name: p.call.name, input: p.call.args });
	const stop = p.call ? 'tool_use' : 'end_turn';
	const input = tokens({ s: json.system, m: json.messages, t: json.tools });
	const output = tokens(content.map((b) => b.text ?? b.thinking ?? JSON.stringify(b.input)).join('')) + 3;
	const id = `msg_01${rid(22)}`;
	const reqId = `req_011C${rid(20)}`;
	const usage = {
		input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
		cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
		output_tokens: output, service_tier: 'standard', inference_geo: 'not_available',
	};
	const hdrs = { 'request-id': reqId, 'anthropic-organization-id': '00000000-0000-4000-8000-000000000000' };
	if (!json.stream) {
		return {
			json: { model: json.model, id, type: 'message', role: 'assistant', content, stop_reason: stop, stop_sequence: null, usage },
			headers: hdrs,
		};
	}
	let s = anthEvent('message_start', { type: 'message_start', message: { model: json.model, id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
	content.forEach((b, index) => {
		let start;
		if (b.type === 'text') start = { type: 'text', text: '' };
		else if (b.type === 'thinking') start = { type: 'thinking', thinking: '', signature: '' };
		else start = { type: 'tool_use', id: b.id, name: b.name, input: {}, caller: { type: 'direct' } };
		s += anthEvent('content_block_start', { type: 'content_block_start', index, content_block: start });
		if (index === 0) s += 'event: ping\ndata: {"type": "ping"}\n\n';
		const delta = (d) => { s += anthEvent('content_block_delta', { type: 'content_block_delta', index, delta: d }); };
		if (b.type === 'text') for (const t of pieces(b.text)) delta({ type: 'text_delta', text: t });
		if (b.type === 'thinking') {
			for (const t of pieces(b.thinking, 2)) delta({ type: 'thinking_delta', thinking: t });
			delta({ type: 'thinking_delta', thinking: '' });
			delta({ type: 'signature_delta', signature: b.signature });
		}
		if (b.type === 'tool_use') {
			delta({ type: 'input_json_delta', partial_json: '' });
			for (const f of fragments(JSON.stringify(b.input))) delta({ type: 'input_json_delta', partial_json: f });
		}
		s += anthEvent('content_block_stop', { type: 'content_block_stop', index });
	});
	s += anthEvent('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output } });
	s += anthEvent('message_stop', { type: 'message_stop' });
	return { sseText: s, headers: hdrs };
}

function anthropic(headers, json, count) {
	let facts;
	try {
		facts = anthropicCheck(headers, json, { count });
	} catch (e) {
		if (!(e instanceof Bad)) throw e;
		return anthError(e.status ?? 400, e.type ?? 'invalid_request_error', e.message);
	}
	if (count) return { json: { input_tokens: tokens({ s: json.system, m: json.messages, t: json.tools }) } };
	return anthropicAnswer(json, facts);
}

// ---- OpenAI errors ------------------------------------------------------------

const oaiError = (status, message, param = null, code = null, type = 'invalid_request_error') =>
	({ status, json: { error: { message, type, param, code } }, headers: { 'x-request-id': `req_${hex(16)}` }, rejected: message });

const OAI_IMAGE_FORMATS = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
/** An image URL of Chat/Responses: https, or a data URL of a real image. Returns image info or null (remote). */
function oaiImageUrl(url, param) {
	if (!isStr(url)) bad(`Invalid type for '${param}': expected a string, but got ${url === null ? 'null' : typeof url} instead.`, { param, code: 'invalid_type' });
	if (/^https?:\/\//.test(url)) return null;
	const d = parseDataUrl(url);
	if (!d) bad(`Invalid '${param}'. Expected a valid URL, but got a value with an invalid format.`, { param, code: 'invalid_value' });
	const info = imageInfo(d.buf);
	if (!OAI_IMAGE_FORMATS.includes(d.mime) || !info) bad("You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].", { param, code: 'invalid_image_format' });
	return info;
}

// ---- OpenAI Responses -----------------------------------------------------------

const RESP_KEYS = new Set(['model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'max_tool_calls', 'text',
	'reasoning', 'include', 'previous_response_id', 'conversation', 'store', 'background', 'max_output_tokens', 'temperature',
	'top_p', 'top_logprobs', 'truncation', 'stream', 'stream_options', 'metadata', 'prompt', 'prompt_cache_key',
	'prompt_cache_retention', 'safety_identifier', 'service_tier', 'user', 'context_management', 'moderation',
	'client_metadata']);
const RESP_ITEM_TYPES = ['message', 'function_call', 'function_call_output', 'reasoning', 'item_reference', 'web_search_call',
	'file_search_call', 'computer_call', 'computer_call_output', 'code_interpreter_call', 'image_generation_call',
	'local_shell_call', 'local_shell_call_output', 'shell_call', 'shell_call_output', 'apply_patch_call',
	'apply_patch_call_output', 'mcp_list_tools', 'mcp_approval_request', 'mcp_approval_response', 'mcp_call',
	'custom_tool_call', 'custom_tool_call_output', 'compaction'];
const RESP_TOOL_TYPES = ['function', 'file_search', 'web_search', 'web_search_preview', 'web_search_preview_2025_03_11',
	'web_search_2025_08_26', 'code_interpreter', 'image_generation', 'mcp', 'computer_use_preview', 'local_shell', 'shell',
	'apply_patch', 'custom', 'namespace', 'tool_search'];
const RESP_CHOICE_TYPES = ['allowed_tools', 'function', 'mcp', 'custom', 'file_search', 'web_search_preview',
	'web_search_preview_2025_03_11', 'computer_use_preview', 'image_generation', 'code_interpreter', 'shell', 'apply_patch'];
const FN_NAME_RE = /^[a-zA-Z0-9_-]{1,64}$/;
const supported = (l) => `${l.slice(0, -1).map((x) => `'${x}'`).join(', ')}, and '${l.at(-1)}'`;
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

function respParts(content, i, role) {
	let image;
	if (isStr(content)) return image;
	if (!Array.isArray(content)) bad(`Invalid type for 'input[${i}].content': expected one of a string or array of input content, but got ${typeOf(content)} instead.`, { param: `input[${i}].content`, code: 'invalid_type' });
	const ok = role === 'assistant' ? ['output_text', 'refusal'] : ['input_text', 'input_image', 'input_file', 'input_audio'];
	content.forEach((c, j) => {
		const param = `input[${i}].content[${j}]`;
		if (!isObj(c) || !ok.includes(c.type)) bad(`Invalid value: '${c?.type}'. Supported values are: ${supported(ok)}.`, { param: `${param}.type`, code: 'invalid_value' });
		if ((c.type === 'input_text' || c.type === 'output_text') && !isStr(c.text)) bad(`Missing required parameter: '${param}.text'.`, { param: `${param}.text`, code: 'missing_required_parameter' });
		if (c.type === 'input_image') {
			if (c.image_url === undefined && c.file_id === undefined) bad(`Missing required parameter: '${param}.image_url'.`, { param: `${param}.image_url`, code: 'missing_required_parameter' });
			if (c.detail !== undefined && !['low', 'high', 'auto'].includes(c.detail)) bad(`Invalid value: '${c.detail}'. Supported values are: 'low', 'high', and 'auto'.`, { param: `${param}.detail`, code: 'invalid_value' });
			if (c.image_url !== undefined) image = oaiImageUrl(c.image_url, `${param}.image_url`);
		}
	});
	return image;
}

export function responsesCheck(headers, json) {
	if (!headers.authorization && !headers['api-key']) bad("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", { status: 401 });
	if (!isObj(json)) bad('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)');
	for (const k of Object.keys(json)) if (!RESP_KEYS.has(k)) bad(`Unknown parameter: '${k}'.`, { param: k, code: 'unknown_parameter' });
	if (!isStr(json.model) || !json.model) bad("Missing required parameter: 'model'.", { param: 'model', code: 'missing_required_parameter' });
	if (json.max_output_tokens !== undefined && json.max_output_tokens !== null) {
		if (!Number.isInteger(json.max_output_tokens)) bad(`Invalid type for 'max_output_tokens': expected an integer, but got ${typeOf(json.max_output_tokens)} instead.`, { param: 'max_output_tokens', code: 'invalid_type' });
		if (json.max_output_tokens < 16) bad(`Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${json.max_output_tokens} instead.`, { param: 'max_output_tokens', code: 'integer_below_min_value' });
	}
	for (const [k, max] of [['temperature', 2], ['top_p', 1]]) {
		const v = json[k];
		if (v === undefined || v === null) continue;
		if (!isNum(v)) bad(`Invalid type for '${k}': expected a decimal, but got ${typeOf(v)} instead.`, { param: k, code: 'invalid_type' });
		if (v < 0) bad(`Invalid '${k}': decimal below minimum value. Expected a value >= 0, but got ${v} instead.`, { param: k, code: 'decimal_below_min_value' });
		if (v > max) bad(`Invalid '${k}': decimal above maximum value. Expected a value <= ${max}, but got ${v} instead.`, { param: k, code: 'decimal_above_max_value' });
	}
	if (json.instructions !== undefined && json.instructions !== null && !isStr(json.instructions)) bad(`Invalid type for 'instructions': expected a string, but got ${typeOf(json.instructions)} instead.`, { param: 'instructions', code: 'invalid_type' });
	if (json.stream !== undefined && json.stream !== null && typeof json.stream !== 'boolean') bad(`Invalid type for 'stream': expected a boolean, but got ${typeOf(json.stream)} instead.`, { param: 'stream', code: 'invalid_type' });
	if (json.stream_options !== undefined && json.stream_options !== null) {
		if (!isObj(json.stream_options)) bad("Invalid type for 'stream_options': expected an object.", { param: 'stream_options', code: 'invalid_type' });
		for (const k of Object.keys(json.stream_options)) if (k !== 'include_obfuscation') bad(`Unknown parameter: 'stream_options.${k}'.`, { param: `stream_options.${k}`, code: 'unknown_parameter' });
	}

	// tools
	const tools = [];
	if (json.tools !== undefined && json.tools !== null) {
		if (!Array.isArray(json.tools)) bad(`Invalid type for 'tools': expected an array, but got ${typeOf(json.tools)} instead.`, { param: 'tools', code: 'invalid_type' });
		json.tools.forEach((t, k) => {
			if (!isObj(t) || !RESP_TOOL_TYPES.includes(t.type)) bad(`Invalid value: '${t?.type}'. Supported values are: ${supported(RESP_TOOL_TYPES)}.`, { param: `tools[${k}].type`, code: 'invalid_value' });
			if (t.type === 'namespace') {
				if (!isStr(t.name)) bad(`Missing required parameter: 'tools[${k}].name'.`, { param: `tools[${k}].name`, code: 'missing_required_parameter' });
				if (!Array.isArray(t.tools) || !t.tools.length) bad(`Missing required parameter: 'tools[${k}].tools'.`, { param: `tools[${k}].tools`, code: 'missing_required_parameter' });
				t.tools.forEach((f, j) => {
					if (!isObj(f) || !['function', 'custom'].includes(f.type)) bad(`Invalid value: '${f?.type}'. Supported values are: 'function' and 'custom'.`, { param: `tools[${k}].tools[${j}].type`, code: 'invalid_value' });
					if (!isStr(f.name) || !FN_NAME_RE.test(f.name)) bad(`Invalid 'tools[${k}].tools[${j}].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, { param: `tools[${k}].tools[${j}].name`, code: 'invalid_value' });
				});
				return;
			}
			if (t.type !== 'function') return;
			if (!has(t, 'name')) bad(`Missing required parameter: 'tools[${k}].name'.`, { param: `tools[${k}].name`, code: 'missing_required_parameter' });
			for (const key of Object.keys(t)) if (!['type', 'name', 'description', 'parameters', 'strict', 'defer_loading'].includes(key)) bad(`Unknown parameter: 'tools[${k}].${key}'.`, { param: `tools[${k}].${key}`, code: 'unknown_parameter' });
			if (!isStr(t.name) || !FN_NAME_RE.test(t.name)) bad(`Invalid 'tools[${k}].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, { param: `tools[${k}].name`, code: 'invalid_value' });
			if (t.parameters !== undefined && t.parameters !== null && !isObj(t.parameters)) bad(`Invalid type for 'tools[${k}].parameters': expected an object, but got ${typeOf(t.parameters)} instead.`, { param: `tools[${k}].parameters`, code: 'invalid_type' });
			tools.push({ name: t.name, schema: t.parameters });
		});
	}

	// tool_choice
	const tc = json.tool_choice;
	let mode = 'auto';
	let forced;
	if (tc !== undefined && tc !== null) {
		if (isStr(tc)) {
			if (!['none', 'auto', 'required'].includes(tc)) bad(`Invalid value: '${tc}'. Supported values are: 'none', 'auto', and 'required'.`, { param: 'tool_choice', code: 'invalid_value' });
			if (tc === 'none') mode = 'none';
			if (tc === 'required') mode = 'forced';
		} else if (isObj(tc)) {
			if (!RESP_CHOICE_TYPES.includes(tc.type)) bad(`Invalid value: '${tc.type}'. Supported values are: ${supported(RESP_CHOICE_TYPES)}.`, { param: 'tool_choice.type', code: 'invalid_value' });
			if (tc.type === 'function') {
				if (!isStr(tc.name)) bad("Missing required parameter: 'tool_choice.name'.", { param: 'tool_choice.name', code: 'missing_required_parameter' });
				for (const key of Object.keys(tc)) if (key !== 'type' && key !== 'name') bad(`Unknown parameter: 'tool_choice.${key}'.`, { param: `tool_choice.${key}`, code: 'unknown_parameter' });
				if (!tools.some((t) => t.name === tc.name)) bad(`Tool choice 'function' not found in 'tools' parameter.`, { param: 'tool_choice', code: null });
				mode = 'forced';
				forced = tc.name;
			}
			if (tc.type === 'allowed_tools' && tc.mode === 'required') mode = 'forced';
		} else {
			bad(`Invalid type for 'tool_choice': expected one of a string or an object, but got ${typeOf(tc)} instead.`, { param: 'tool_choice', code: 'invalid_type' });
		}
	}

	// text.format
	let jsonSchema;
	if (json.text !== undefined && json.text !== null) {
		if (!isObj(json.text)) bad(`Invalid type for 'text': expected an object, but got ${typeOf(json.text)} instead.`, { param: 'text', code: 'invalid_type' });
		for (const k of Object.keys(json.text)) if (k !== 'format' && k !== 'verbosity') bad(`Unknown parameter: 'text.${k}'.`, { param: `text.${k}`, code: 'unknown_parameter' });
		const f = json.text.format;
		if (f !== undefined && f !== null) {
			if (!isObj(f) || !['text', 'json_object', 'json_schema'].includes(f.type)) bad(`Invalid value: '${f?.type}'. Supported values are: 'text', 'json_schema', and 'json_object'.`, { param: 'text.format.type', code: 'invalid_value' });
			if (f.type === 'json_schema') {
				for (const k of Object.keys(f)) if (!['type', 'name', 'schema', 'strict', 'description'].includes(k)) bad(`Unknown parameter: 'text.format.${k}'.`, { param: `text.format.${k}`, code: 'unknown_parameter' });
				if (!isStr(f.name)) bad("Missing required parameter: 'text.format.name'.", { param: 'text.format.name', code: 'missing_required_parameter' });
				if (!FN_NAME_RE.test(f.name)) bad("Invalid 'text.format.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", { param: 'text.format.name', code: 'invalid_value' });
				if (!isObj(f.schema)) bad("Missing required parameter: 'text.format.schema'.", { param: 'text.format.schema', code: 'missing_required_parameter' });
				jsonSchema = f.schema;
			}
			if (f.type === 'json_object') jsonSchema = true;
		}
	}

	// input
	const serverState = !!(json.previous_response_id || json.conversation);
	const calls = new Set();
	let lastText = '';
	let image;
	if (isStr(json.input)) {
		lastText = json.input;
	} else if (Array.isArray(json.input)) {
		json.input.forEach((it, i) => {
			if (!isObj(it)) bad(`Invalid type for 'input[${i}]': expected an object, but got ${typeOf(it)} instead.`, { param: `input[${i}]`, code: 'invalid_type' });
			const type = it.type ?? (has(it, 'role') ? 'message' : undefined);
			if (!RESP_ITEM_TYPES.includes(type)) bad(`Invalid value: '${it.type}'. Supported values are: ${supported(RESP_ITEM_TYPES)}.`, { param: `input[${i}].type`, code: 'invalid_value' });
			if (type === 'message') {
				if (!['user', 'assistant', 'system', 'developer'].includes(it.role)) bad(`Invalid value: '${it.role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.`, { param: `input[${i}].role`, code: 'invalid_value' });
				if (!has(it, 'content')) bad(`Missing required parameter: 'input[${i}].content'.`, { param: `input[${i}].content`, code: 'missing_required_parameter' });
				const img = respParts(it.content, i, it.role);
				if (it.role === 'user') {
					lastText = isStr(it.content) ? it.content : it.content.filter((c) => c.type === 'input_text').map((c) => c.text).join('\n');
					image = img ?? (Array.isArray(it.content) && it.content.some((c) => c.type === 'input_image') ? null : undefined);
				}
			}
			if (type === 'function_call') {
				for (const k of ['call_id', 'name', 'arguments']) if (!has(it, k)) bad(`Missing required parameter: 'input[${i}].${k}'.`, { param: `input[${i}].${k}`, code: 'missing_required_parameter' });
				if (!isStr(it.arguments)) bad(`Invalid type for 'input[${i}].arguments': expected a string, but got ${typeOf(it.arguments)} instead.`, { param: `input[${i}].arguments`, code: 'invalid_type' });
				if (!isStr(it.call_id)) bad(`Invalid type for 'input[${i}].call_id': expected a string, but got ${typeOf(it.call_id)} instead.`, { param: `input[${i}].call_id`, code: 'invalid_type' });
				if (it.id !== undefined && (!isStr(it.id) || !it.id.startsWith('fc'))) bad(`Invalid 'input[${i}].id': '${it.id}'. Expected an ID that begins with 'fc'.`, { param: `input[${i}].id`, code: 'invalid_value' });
				calls.add(it.call_id);
			}
			if (type === 'function_call_output') {
				if (!isStr(it.call_id)) bad(`Missing required parameter: 'input[${i}].call_id'.`, { param: `input[${i}].call_id`, code: 'missing_required_parameter' });
				if (!isStr(it.output) && !Array.isArray(it.output)) bad(`Invalid type for 'input[${i}].output': expected one of a string or array of input content, but got ${typeOf(it.output)} instead.`, { param: `input[${i}].output`, code: 'invalid_type' });
				if (!serverState && !calls.has(it.call_id)) bad(`No tool call found for function call output with call_id ${it.call_id}.`, { param: 'input', code: null });
			}
			if (type === 'reasoning') {
				if (!isStr(it.id)) bad(`Missing required parameter: 'input[${i}].id'.`, { param: `input[${i}].id`, code: 'missing_required_parameter' });
				if (!Array.isArray(it.summary)) bad(`Missing required parameter: 'input[${i}].summary'.`, { param: `input[${i}].summary`, code: 'missing_required_parameter' });
			}
		});
	} else if (json.input !== undefined && json.input !== null) {
		bad(`Invalid type for 'input': expected one of a string or array of input items, but got ${typeOf(json.input)} instead.`, { param: 'input', code: 'invalid_type' });
	}
	return { tools, mode, forced, jsonSchema, image, lastText };
}

function sse(type, obj) { return `event: ${type}\ndata: ${JSON.stringify(obj)}\n\n`; }

function responsesAnswer(json, facts) {
	const p = plan({ ...facts, agent: agentFacts('responses', json) });
	const reasoning = /^(o\d|gpt-5)/.test(json.model);
	const items = [];
	if (reasoning) {
		const r = { id: `rs_${hex(25)}`, type: 'reasoning', summary: [] };
		if (Array.isArray(json.include) && json.include.includes('reasoning.encrypted_content')) r.encrypted_content = `gAAAAA${crypto.randomBytes(96).toString('base64url')}`;
		items.push(r);
	}
	if (p.text !== undefined) items.push({ id: `msg_${hex(25)}`, type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: p.text }], role: 'assistant' });
	if (p.call) items.push({ id: `fc_${hex(25)}`, type: 'function_call', status: 'completed', arguments: JSON.stringify(p.call.args), call_id: `call_${rid(24)}`, name: p.call.name });
	const input = tokens({ i: json.instructions, m: json.input, t: json.tools });
	const rtok = reasoning ? 64 : 0;
	const output = tokens(items.map((it) => it.content?.[0].text ?? it.arguments ?? '').join('')) + rtok;
	const usage = { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: rtok }, total_tokens: input + output };
	const created = now();
	const id = `resp_${hex(25)}`;
	const obj = (status, output, u, completed) => ({
		id, object: 'response', created_at: created, status, background: false, completed_at: completed ? created : null, error: null,
		incomplete_details: null, instructions: json.instructions ?? null, max_output_tokens: json.max_output_tokens ?? null,
		max_tool_calls: json.max_tool_calls ?? null, model: json.model, output, parallel_tool_calls: json.parallel_tool_calls ?? true,
		previous_response_id: json.previous_response_id ?? null, prompt_cache_key: json.prompt_cache_key ?? null,
		reasoning: { effort: json.reasoning?.effort ?? (reasoning ? 'medium' : null), summary: json.reasoning?.summary ?? null },
		safety_identifier: json.safety_identifier ?? null, service_tier: 'default', store: json.store ?? true,
		temperature: json.temperature ?? 1.0, text: { format: json.text?.format ?? { type: 'text' }, verbosity: json.text?.verbosity ?? 'medium' },
		tool_choice: json.tool_choice ?? 'auto',
		tools: (json.tools ?? []).map((t) => (t.type === 'function' ? { type: 'function', description: t.description ?? null, name: t.name, parameters: t.parameters ?? null, strict: t.strict ?? true } : t)),
		top_logprobs: 0, top_p: json.top_p ?? 1.0, truncation: json.truncation ?? 'disabled', usage: u, user: json.user ?? null, metadata: json.metadata ?? {},
	});
	const hdrs = { 'x-request-id': `req_${hex(16)}`, 'openai-version': '2020-10-01' };
	if (!json.stream) return { json: obj('completed', items, usage, true), headers: hdrs };
	let n = 0;
	let s = '';
	const ev = (type, fields) => { s += sse(type, { type, ...fields, sequence_number: n++ }); };
	ev('response.created', { response: obj('in_progress', [], null, false) });
	ev('response.in_progress', { response: obj('in_progress', [], null, false) });
	items.forEach((it, output_index) => {
		if (it.type === 'reasoning') {
			ev('response.output_item.added', { item: it, output_index });
			ev('response.output_item.done', { item: it, output_index });
		}
		if (it.type === 'message') {
			const text = it.content[0].text;
			ev('response.output_item.added', { item: { id: it.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' }, output_index });
			ev('response.content_part.added', { content_index: 0, item_id: it.id, output_index, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
			for (const d of pieces(text)) ev('response.output_text.delta', { content_index: 0, delta: d, item_id: it.id, logprobs: [], obfuscation: rid(10), output_index });
			ev('response.output_text.done', { content_index: 0, item_id: it.id, logprobs: [], output_index, text });
			ev('response.content_part.done', { content_index: 0, item_id: it.id, output_index, part: { type: 'output_text', annotations: [], logprobs: [], text } });
			ev('response.output_item.done', { item: it, output_index });
		}
		if (it.type === 'function_call') {
			ev('response.output_item.added', { item: { ...it, status: 'in_progress', arguments: '' }, output_index });
			for (const d of fragments(it.arguments)) ev('response.function_call_arguments.delta', { item_id: it.id, output_index, delta: d, obfuscation: rid(12) });
			ev('response.function_call_arguments.done', { item_id: it.id, output_index, arguments: it.arguments });
			ev('response.output_item.done', { item: it, output_index });
		}
	});
	ev('response.completed', { response: obj('completed', items, usage, true) });
	return { sseText: s, headers: hdrs };
}

function responses(headers, json) {
	let facts;
	try {
		facts = responsesCheck(headers, json);
	} catch (e) {
		if (!(e instanceof Bad)) throw e;
		return oaiError(e.status ?? 400, e.message, e.param ?? null, e.code ?? null);
	}
	return responsesAnswer(json, facts);
}

// ---- Google Gemini --------------------------------------------------------

// both spellings: the proto JSON parser takes camelCase and snake_case
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const bothWays = (l) => new Set(l.flatMap((k) => [k, snake(k)]));
const G_TOP = bothWays(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
const G_CONTENT = bothWays(['role', 'parts']);
const G_PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
const G_PART = bothWays([...G_PART_DATA, 'thought', 'thoughtSignature', 'videoMetadata', 'partMetadata', 'mediaResolution']);
const G_TOOL = bothWays(['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'fileSearch', 'computerUse', 'googleMaps', 'enterpriseWebSearch', 'retrieval']);
const G_DECL = bothWays(['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema', 'behavior']);
const G_SCHEMA = bothWays(['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
	'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items',
	'minimum', 'maximum']);
const G_TYPES = ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'];
const G_GEN = bothWays(['temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'responseMimeType',
	'responseSchema', 'responseJsonSchema', 'presencePenalty', 'frequencyPenalty', 'seed', 'responseLogprobs', 'logprobs',
	'responseModalities', 'thinkingConfig', 'mediaResolution', 'speechConfig', 'enableEnhancedCivicAnswers', 'imageConfig',
	'routingConfig', 'audioTimestamp', 'enableAffectiveDialog']);
const pick = (o, k) => o[k] ?? o[snake(k)];
const unknownName = (k, at) => bad(`Invalid JSON payload received. Unknown name "${k}"${at ? ` at '${at}'` : ''}: Cannot find field.`);

/** Gemini's `parameters` / `responseSchema` are an OpenAPI subset: no additionalProperties, $schema, $ref, const, oneOf, … */
function gSchema(s, at) {
	if (!isObj(s)) bad(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema), ${JSON.stringify(s)}`);
	for (const k of Object.keys(s)) if (!G_SCHEMA.has(k)) unknownName(k, at);
	if (s.type !== undefined) {
		if (Array.isArray(s.type)) bad(`Invalid JSON payload received. Unknown name "type" at '${at}': Proto field is not repeating, cannot start list.`);
		if (!isStr(s.type) || !G_TYPES.includes(s.type.toUpperCase())) bad(`Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "${s.type}"`);
	}
	if (s.properties !== undefined) {
		if (!isObj(s.properties)) bad(`Invalid value at '${at}.properties'`);
		for (const [k, v] of Object.entries(s.properties)) gSchema(v, `${at}.properties[${k}].value`);
	}
	if (s.items !== undefined) gSchema(s.items, `${at}.items`);
	const any = pick(s, 'anyOf');
	if (any !== undefined) {
		if (!Array.isArray(any)) bad(`Invalid value at '${at}.any_of'`);
		any.forEach((x, i) => gSchema(x, `${at}.any_of[${i}]`));
	}
}

function gContentParts(parts, at, facts, role) {
	if (!Array.isArray(parts) || parts.length === 0) bad(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.\n`);
	parts.forEach((p, j) => {
		const pat = `${at}.parts[${j}]`;
		if (!isObj(p)) bad(`Invalid value at '${pat}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part)`);
		for (const k of Object.keys(p)) if (!G_PART.has(k)) unknownName(k, pat);
		const data = G_PART_DATA.filter((k) => pick(p, k) !== undefined);
		if (data.length !== 1) bad(`* GenerateContentRequest.${pat}.data: required oneof field 'data' must have one initialized field\n`);
		if (p.text !== undefined && !isStr(p.text)) bad(`Invalid value at '${pat}.text' (TYPE_STRING), ${JSON.stringify(p.text)}`);
		const inl = pick(p, 'inlineData');
		if (inl !== undefined) {
			const mime = isObj(inl) ? pick(inl, 'mimeType') : undefined;
			if (!isStr(mime) || !mime) bad(`* GenerateContentRequest.${pat}.inline_data.mime_type: mime_type must be set.\n`);
			const buf = b64(inl.data);
			if (!buf) bad(`Invalid value at '${pat}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${String(inl.data).slice(0, 20)}…"`);
			if (mime.startsWith('image/')) {
				const info = imageInfo(buf);
				if (!info) bad('Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
				if (role !== 'model') facts.lastImage = info;
			}
		}
		const fd = pick(p, 'fileData');
		if (fd !== undefined && !(isObj(fd) && isStr(pick(fd, 'fileUri')))) bad(`* GenerateContentRequest.${pat}.file_data.file_uri: file_uri must be set.\n`);
		const fc = pick(p, 'functionCall');
		if (fc !== undefined) {
			if (!isObj(fc) || !isStr(fc.name) || !fc.name) bad(`* GenerateContentRequest.${pat}.function_call.name: Name cannot be empty.\n`);
			if (fc.args !== undefined && !isObj(fc.args)) bad(`Invalid value at '${pat}.function_call.args' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(fc.args)}`);
			if (pick(p, 'thoughtSignature') === undefined) facts.warnings.push(`${pat}: functionCall without thoughtSignature (Gemini 3 rejects this; 2.5 accepts it)`);
		}
		const fr = pick(p, 'functionResponse');
		if (fr !== undefined) {
			if (!isObj(fr) || !isStr(fr.name) || !fr.name) bad(`* GenerateContentRequest.${pat}.function_response.name: Name cannot be empty.\n`);
			if (Array.isArray(fr.response)) bad(`Invalid JSON payload received. Unknown name "response" at '${pat}.function_response': Proto field is not repeating, cannot start list.`);
			if (!isObj(fr.response)) bad(`Invalid value at '${pat}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(fr.response ?? null)}`);
		}
	});
}

export function geminiCheck(url, headers, json) {
	const warnings = [];
	if (!headers['x-goog-api-key']) bad("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", { status: 403, gstatus: 'PERMISSION_DENIED' });
	if (!isObj(json)) bad('Invalid JSON payload received. Expected an object.');
	for (const k of Object.keys(json)) if (!G_TOP.has(k)) unknownName(k);
	const facts = { warnings, lastText: '', lastImage: undefined };

	// contents
	const contents = json.contents;
	if (!Array.isArray(contents) || contents.length === 0) bad('* GenerateContentRequest.contents: contents is not specified\n');
	contents.forEach((c, i) => {
		const at = `contents[${i}]`;
		if (!isObj(c)) bad(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)`);
		for (const k of Object.keys(c)) if (!G_CONTENT.has(k)) unknownName(k, at);
		if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') bad('Please use a valid role: user, model.');
		if (c.role !== 'model') facts.lastImage = undefined;
		gContentParts(c.parts, at, facts, c.role);
		if (c.role !== 'model') {
			const texts = c.parts.filter((p) => isStr(p.text)).map((p) => p.text);
			if (texts.length) facts.lastText = texts.join('\n');
		}
	});
	// function call turns: after a user turn; answered by as many functionResponse parts
	contents.forEach((c, i) => {
		const ncall = c.parts.filter((p) => pick(p, 'functionCall')).length;
		if (!ncall) return;
		if (c.role !== 'model') bad('Please ensure that function call turns come from the model (role "model").');
		const prev = contents[i - 1];
		if (!prev || prev.role === 'model') bad('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
		const next = contents[i + 1];
		if (next) {
			const nresp = next.parts.filter((p) => pick(p, 'functionResponse')).length;
			if (nresp !== ncall) bad('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
		}
	});

	// systemInstruction
	const si = pick(json, 'systemInstruction');
	if (si !== undefined) {
		if (!isObj(si)) bad("Invalid value at 'system_instruction' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)");
		for (const k of Object.keys(si)) if (!G_CONTENT.has(k)) unknownName(k, 'system_instruction');
		if (si.role !== undefined && si.role !== 'user') bad('Please use a valid role: user, model.');
		gContentParts(si.parts, 'system_instruction', { warnings, lastImage: undefined }, 'user');
	}

	// tools
	const decls = [];
	let gtools = json.tools;
	if (gtools !== undefined) {
		if (isObj(gtools)) gtools = [gtools];	// a lone object is taken as a one-element list (recorded)
		if (!Array.isArray(gtools)) bad("Invalid value at 'tools'");
		gtools.forEach((t, k) => {
			if (!isObj(t)) bad(`Invalid value at 'tools[${k}]'`);
			for (const key of Object.keys(t)) if (!G_TOOL.has(key)) unknownName(key, `tools[${k}]`);
			const fds = pick(t, 'functionDeclarations');
			if (fds === undefined) return;
			if (!Array.isArray(fds)) bad(`Invalid value at 'tools[${k}].function_declarations'`);
			fds.forEach((d, j) => {
				const at = `tools[${k}].function_declarations[${j}]`;
				if (!isObj(d)) bad(`Invalid value at '${at}'`);
				for (const key of Object.keys(d)) if (!G_DECL.has(key)) unknownName(key, at);
				if (!isStr(d.name) || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(d.name)) bad(`* GenerateContentRequest.${at}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.\n`);
				const params = d.parameters;
				const pjs = pick(d, 'parametersJsonSchema');
				if (params !== undefined && pjs !== undefined) bad(`* GenerateContentRequest.${at}: parameters and parameters_json_schema cannot both be set.\n`);
				if (params !== undefined) gSchema(params, `${at}.parameters`);
				if (pjs !== undefined && !isObj(pjs)) bad(`Invalid value at '${at}.parameters_json_schema'`);
				decls.push({ name: d.name, schema: params ?? pjs });
			});
		});
	}
	const names = new Set(decls.map((d) => d.name));
	if (names.size !== decls.length) bad('* GenerateContentRequest.tools: Duplicate function declaration names are not allowed.\n');

	// toolConfig
	let mode = 'AUTO';
	let allowed;
	const tcfg = pick(json, 'toolConfig');
	if (tcfg !== undefined) {
		if (!isObj(tcfg)) bad("Invalid value at 'tool_config'");
		for (const k of Object.keys(tcfg)) if (!bothWays(['functionCallingConfig', 'retrievalConfig']).has(k)) unknownName(k, 'tool_config');
		const fcc = pick(tcfg, 'functionCallingConfig');
		if (fcc !== undefined) {
			if (!isObj(fcc)) bad("Invalid value at 'tool_config.function_calling_config'");
			for (const k of Object.keys(fcc)) if (!bothWays(['mode', 'allowedFunctionNames']).has(k)) unknownName(k, 'tool_config.function_calling_config');
			if (fcc.mode !== undefined) {
				if (!['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(fcc.mode)) bad(`Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "${fcc.mode}"`);
				mode = fcc.mode === 'MODE_UNSPECIFIED' ? 'AUTO' : fcc.mode;
			}
			allowed = pick(fcc, 'allowedFunctionNames');
			if (allowed !== undefined) {
				if (!Array.isArray(allowed) || !allowed.every(isStr)) bad("Invalid value at 'tool_config.function_calling_config.allowed_function_names'");
				if (mode !== 'ANY' && mode !== 'VALIDATED') bad('* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: allowed_function_names should only be set when the Mode is set to ANY.\n');
				for (const n of allowed) if (!names.has(n)) bad(`* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function '${n}' is not declared in tools.\n`);
			}
			if (mode !== 'AUTO' && mode !== 'NONE' && !decls.length) bad('* GenerateContentRequest.tool_config.function_calling_config: function calling config is set without function_declarations.\n');
		}
	}

	// generationConfig
	let jsonSchema;
	const gc = pick(json, 'generationConfig');
	if (gc !== undefined) {
		if (!isObj(gc)) bad("Invalid value at 'generation_config'");
		for (const k of Object.keys(gc)) if (!G_GEN.has(k)) unknownName(k, 'generation_config');
		const num = (k, lo, hi) => {
			const v = pick(gc, k);
			if (v === undefined) return;
			if (!isNum(v)) bad(`Invalid value at 'generation_config.${snake(k)}' (TYPE_FLOAT), ${JSON.stringify(v)}`);
			if (v < lo || v > hi) bad(`* GenerateContentRequest.generation_config.${snake(k)}: ${snake(k)} must be in the range [${lo}, ${hi}].\n`);
		};
		num('temperature', 0, 2);
		num('topP', 0, 1);
		const mot = pick(gc, 'maxOutputTokens');
		if (mot !== undefined && !(Number.isInteger(mot) && mot > 0)) bad(`Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), ${JSON.stringify(mot)}`);
		const ss = pick(gc, 'stopSequences');
		if (ss !== undefined && !(Array.isArray(ss) && ss.every(isStr) && ss.length <= 5)) bad('* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.\n');
		const rs = pick(gc, 'responseSchema');
		const rjs = pick(gc, 'responseJsonSchema') ?? gc._responseJsonSchema;
		const mime = pick(gc, 'responseMimeType');
		if (rs !== undefined) gSchema(rs, 'generation_config.response_schema');
		if (rs !== undefined && rjs !== undefined) bad('* GenerateContentRequest.generation_config: response_schema and response_json_schema cannot both be set.\n');
		if ((rs !== undefined || rjs !== undefined) && mime !== 'application/json' && mime !== 'text/x.enum') bad('* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be one of the following: application/json, text/x.enum when response_schema is set.\n');
		if (mime !== undefined && !['text/plain', 'application/json', 'text/x.enum', 'application/xml', 'application/yaml'].includes(mime)) bad(`* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \`text/plain\`, \`application/json\`, \`application/xml\`, \`application/yaml\` and \`text/x.enum\`.\n`);
		if (mime === 'application/json') jsonSchema = rs ?? rjs ?? true;
	}

	let forced;
	if (mode === 'ANY' && allowed?.length) forced = allowed[0];
	return {
		tools: decls, mode: mode === 'NONE' ? 'none' : mode === 'ANY' ? 'forced' : 'auto', forced, jsonSchema,
		image: facts.lastImage, lastText: facts.lastText, warnings,
	};
}

/** Gemini's JSON: `": "` after keys, nothing after commas (as recorded). */
export function gjson(v) {
	if (Array.isArray(v)) return `[${v.map(gjson).join(',')}]`;
	if (isObj(v)) return `{${Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}: ${gjson(x)}`).join(',')}}`;
	return JSON.stringify(v);
}

function geminiAnswer(url, json, facts) {
	const model = decodeURIComponent(/\/models\/([^/:]+):/.exec(url)[1]);
	const streaming = /:streamGenerateContent$/.test(url.split('?')[0]);
	const alt = new URLSearchParams(url.split('?')[1] ?? '').get('alt');
	const p = plan({ ...facts, agent: agentFacts('gemini', json) });
	const prompt = tokens({ s: pick(json, 'systemInstruction'), c: json.contents, t: json.tools });
	const thoughts = /2\.5|gemini-3/.test(model) ? 24 : 0;
	const cand = tokens((p.text ?? '') + (p.call ? JSON.stringify(p.call.args) : ''));
	const responseId = rid(23);
	const details = (n) => [{ modality: 'TEXT', tokenCount: n }];
	const usageFinal = { promptTokenCount: prompt, candidatesTokenCount: cand, totalTokenCount: prompt + cand + thoughts, promptTokensDetails: details(prompt), thoughtsTokenCount: thoughts || undefined };
	const usageEarly = { promptTokenCount: prompt, totalTokenCount: prompt + thoughts, promptTokensDetails: details(prompt), thoughtsTokenCount: thoughts || undefined };
	const callPart = p.call ? { functionCall: { name: p.call.name, args: p.call.args }, thoughtSignature: crypto.randomBytes(72).toString('base64') } : undefined;
	const chunk = (parts, final) => ({
		candidates: [{ content: { parts, role: 'model' }, finishReason: final ? 'STOP' : undefined, index: final ? 0 : undefined }],
		usageMetadata: final ? usageFinal : usageEarly, modelVersion: model, responseId,
	});
	const hdrs = { 'x-goog-request-id': hex(8) };
	if (!streaming) {
		const parts = [];
		if (p.text !== undefined) parts.push({ text: p.text });
		if (callPart) parts.push(callPart);
		const body = { candidates: [{ content: { parts, role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: usageFinal, modelVersion: model, responseId };
		return { text: JSON.stringify(body, null, 2), type: 'application/json; charset=UTF-8', headers: hdrs, warnings: facts.warnings };
	}
	const chunks = [];
	if (p.text !== undefined) {
		const ts = pieces(p.text);
		ts.forEach((t, i) => chunks.push(chunk([{ text: t }], !callPart && i === ts.length - 1)));
	}
	if (callPart) {
		chunks.push(chunk([callPart], false));
		chunks.push(chunk([{ text: '' }], true));
	}
	if (alt === 'sse') {
		return { sseText: chunks.map((c) => `data: ${gjson(c)}\r\n\r\n`).join(''), type: 'text/event-stream', headers: hdrs, warnings: facts.warnings };
	}
	// without alt=sse the stream is one JSON array sent piece by piece
	return { text: `[${chunks.map((c) => JSON.stringify(c, null, 2)).join(',\r\n')}]`, type: 'application/json; charset=UTF-8', headers: hdrs, warnings: facts.warnings };
}

function gemini(url, headers, json) {
	let facts;
	try {
		facts = geminiCheck(url, headers, json);
	} catch (e) {
		if (!(e instanceof Bad)) throw e;
		const status = e.status ?? 400;
		const body = { error: { code: status, message: e.message, status: e.gstatus ?? 'INVALID_ARGUMENT' } };
		return { status, text: JSON.stringify(body, null, 2), type: 'application/json; charset=UTF-8', rejected: e.message };
	}
	return geminiAnswer(url, json, facts);
}

// ---- OpenAI Chat Completions --------------------------------------------------------

const CHAT_ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
// fields of the other formats that Chat refuses ("Unrecognized request argument supplied")
const CHAT_FOREIGN = ['input', 'instructions', 'max_output_tokens', 'text', 'system', 'top_k', 'stop_sequences', 'thinking',
	'anthropic_version', 'contents', 'generationConfig', 'previous_response_id'];

/** Check a Chat request; throws Bad. Returns facts, and whether the recordings can answer it (legacy). */
export function chatCheck(json) {
	if (!isObj(json) || !Array.isArray(json.messages)) return { legacy: true };
	for (const k of CHAT_FOREIGN) if (has(json, k)) bad(`Unrecognized request argument supplied: ${k}`, { param: null, code: null });
	// only the search models take web search options
	if (has(json, 'web_search_options') && !/search/.test(json.model ?? '')) bad('Web search options not supported with this model.', { param: 'web_search_options', code: 'invalid_value' });
	let pending = null;	// tool_call ids of the last assistant message still waiting for answers
	let pendingAt = -1;
	let lastText = '';
	let image;
	const flush = () => {
		if (pending && pending.size) bad(`An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...pending].join(', ')}`, { param: `messages.[${pendingAt}].role`, code: null });
		pending = null;
	};
	json.messages.forEach((m, i) => {
		if (!isObj(m)) bad(`Invalid type for 'messages[${i}]': expected an object, but got ${typeOf(m)} instead.`, { param: `messages[${i}]`, code: 'invalid_type' });
		if (!CHAT_ROLES.includes(m.role)) bad(`Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, { param: `messages[${i}].role`, code: 'invalid_value' });
		if (m.role === 'tool') {
			if (!pending || !pending.has(m.tool_call_id)) bad("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", { param: `messages.[${i}].role`, code: null });
			pending.delete(m.tool_call_id);
			return;
		}
		flush();
		if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length) {
			m.tool_calls.forEach((t, k) => {
				if (!isObj(t) || !isStr(t.id)) bad(`Missing required parameter: 'messages[${i}].tool_calls[${k}].id'.`, { param: `messages[${i}].tool_calls[${k}].id`, code: 'missing_required_parameter' });
				if (!isObj(t.function) || !isStr(t.function.name)) bad(`Missing required parameter: 'messages[${i}].tool_calls[${k}].function'.`, { param: `messages[${i}].tool_calls[${k}].function`, code: 'missing_required_parameter' });
				if (!isStr(t.function.arguments)) bad(`Invalid type for 'messages[${i}].tool_calls[${k}].function.arguments': expected a string, but got ${typeOf(t.function.arguments)} instead.`, { param: `messages[${i}].tool_calls[${k}].function.arguments`, code: 'invalid_type' });
			});
			pending = new Set(m.tool_calls.map((t) => t.id));
			pendingAt = i;
		}
		if (m.role === 'user') {
			image = undefined;
			if (isStr(m.content)) {
				lastText = m.content;
			} else if (Array.isArray(m.content)) {
				lastText = m.content.filter((c) => c?.type === 'text').map((c) => c.text).join('\n');
				m.content.forEach((c, j) => {
					if (!isObj(c) || !['text', 'image_url', 'input_audio', 'file'].includes(c.type)) bad(`Invalid value: '${c?.type}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.`, { param: `messages[${i}].content[${j}].type`, code: 'invalid_value' });
					if (c.type === 'image_url') {
						if (!isObj(c.image_url)) bad(`Missing required parameter: 'messages[${i}].content[${j}].image_url'.`, { param: `messages[${i}].content[${j}].image_url`, code: 'missing_required_parameter' });
						image = oaiImageUrl(c.image_url.url, `messages[${i}].content[${j}].image_url.url`);
					}
				});
			}
		}
	});
	flush();

	const tools = [];
	if (Array.isArray(json.tools)) {
		json.tools.forEach((t, k) => {
			if (!isObj(t) || (t.type !== 'function' && t.type !== 'custom')) bad(`Invalid value: '${t?.type}'. Supported values are: 'function' and 'custom'.`, { param: `tools[${k}].type`, code: 'invalid_value' });
			if (t.type !== 'function') return;
			if (!isObj(t.function)) bad(`Missing required parameter: 'tools[${k}].function'.`, { param: `tools[${k}].function`, code: 'missing_required_parameter' });
			if (!isStr(t.function.name) || !FN_NAME_RE.test(t.function.name)) bad(`Invalid 'tools[${k}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, { param: `tools[${k}].function.name`, code: 'invalid_value' });
			tools.push({ name: t.function.name, schema: t.function.parameters });
		});
	}
	const tc = json.tool_choice;
	let mode = 'auto';
	let forced;
	if (tc !== undefined && tc !== null) {
		if (isStr(tc)) {
			if (!['none', 'auto', 'required'].includes(tc)) bad(`Invalid value: '${tc}'. Supported values are: 'none', 'auto', and 'required'.`, { param: 'tool_choice', code: 'invalid_value' });
			if (tc === 'none') mode = 'none';
			if (tc === 'required') mode = 'forced';
		} else if (isObj(tc)) {
			if (tc.type !== 'function' && tc.type !== 'allowed_tools' && tc.type !== 'custom') bad(`Invalid value: '${tc.type}'. Supported values are: 'function', 'allowed_tools', and 'custom'.`, { param: 'tool_choice.type', code: 'invalid_value' });
			if (tc.type === 'function') {
				if (!isObj(tc.function) || !isStr(tc.function.name)) bad("Missing required parameter: 'tool_choice.function'.", { param: 'tool_choice.function', code: 'missing_required_parameter' });
				if (!tools.some((t) => t.name === tc.function.name)) bad(`Invalid value for 'tool_choice': tool_choice references '${tc.function.name}' which is not in 'tools'.`, { param: 'tool_choice', code: null });
				forced = tc.function.name;
			}
			mode = 'forced';
		}
		if (mode !== 'auto' && !tools.length && tc !== 'none') bad("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { param: 'tool_choice', code: null });
	}
	let jsonSchema;
	const rf = json.response_format;
	if (rf !== undefined && rf !== null) {
		if (!isObj(rf) || !['text', 'json_object', 'json_schema'].includes(rf.type)) bad(`Invalid value: '${rf?.type}'. Supported values are: 'text', 'json_object', and 'json_schema'.`, { param: 'response_format.type', code: 'invalid_value' });
		if (rf.type === 'json_schema') {
			if (!isObj(rf.json_schema)) bad("Missing required parameter: 'response_format.json_schema'.", { param: 'response_format.json_schema', code: 'missing_required_parameter' });
			if (!isStr(rf.json_schema.name)) bad("Missing required parameter: 'response_format.json_schema.name'.", { param: 'response_format.json_schema.name', code: 'missing_required_parameter' });
			jsonSchema = isObj(rf.json_schema.schema) ? rf.json_schema.schema : true;
		}
		if (rf.type === 'json_object') jsonSchema = true;
	}
	const foreignTools = tools.some((t) => t.name !== 'get_capital');
	const legacy = !(mode === 'forced' || (tc === 'none' && tools.length) || jsonSchema || image !== undefined || foreignTools);
	return { legacy, tools, mode, forced, jsonSchema, image, lastText };
}

function chatAnswer(json, facts) {
	const p = plan({ ...facts, agent: agentFacts('chat', json) });
	const id = `chatcmpl-${rid(29)}`;
	const created = now();
	const model = json.model;
	const fp = `fp_${hex(5)}`;
	const call = p.call ? { id: `call_${rid(24)}`, type: 'function', function: { name: p.call.name, arguments: JSON.stringify(p.call.args) } } : undefined;
	const prompt = tokens({ m: json.messages, t: json.tools });
	const completion = tokens((p.text ?? '') + (call ? call.function.arguments : ''));
	const usage = {
		prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
	};
	const finish = call ? 'tool_calls' : 'stop';
	const hdrs = { 'x-request-id': `req_${hex(16)}`, 'openai-version': '2020-10-01' };
	if (!json.stream) {
		const message = { role: 'assistant', content: p.text ?? null, refusal: null, annotations: [] };
		if (call) message.tool_calls = [call];
		return {
			json: { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage, service_tier: 'default', system_fingerprint: fp },
			headers: hdrs,
		};
	}
	const withUsage = json.stream_options?.include_usage === true;
	const obf = json.stream_options?.include_obfuscation !== false;
	const chunk = (choices, u) => {
		const c = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: fp, choices };
		if (withUsage) c.usage = u ?? null;
		if (obf) c.obfuscation = rid(4 + (choices.length ? 6 : 3));
		return `data: ${JSON.stringify(c)}\n\n`;
	};
	const delta = (d, fr = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: fr }];
	let s = '';
	const opening = call ? [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] : undefined;
	if (p.text !== undefined) {
		s += chunk(delta({ role: 'assistant', content: '', refusal: null }));
		for (const t of pieces(p.text)) s += chunk(delta({ content: t }));
		if (opening) s += chunk(delta({ tool_calls: opening }));
	} else {
		s += chunk(delta({ role: 'assistant', content: null, tool_calls: opening, refusal: null }));
	}
	if (call) for (const f of fragments(call.function.arguments)) s += chunk(delta({ tool_calls: [{ index: 0, function: { arguments: f } }] }));
	s += chunk(delta({}, finish));
	if (withUsage) s += chunk([], usage);
	s += 'data: [DONE]\n\n';
	return { sseText: s, headers: hdrs };
}

function chat(json) {
	let facts;
	try {
		facts = chatCheck(json);
	} catch (e) {
		if (!(e instanceof Bad)) throw e;
		return oaiError(e.status ?? 400, e.message, e.param ?? null, e.code ?? null);
	}
	if (facts.legacy) return null;	// the recordings answer it, as before
	return chatAnswer(json, facts);
}

// ---- dispatch ---------------------------------------------------------------

/** Which provider endpoint a path is (matched on its suffix), or null. */
export function endpointOf(url) {
	const p = url.split('?')[0];
	if (p.endsWith('/chat/completions')) return 'chat';
	if (p.endsWith('/v1/messages/count_tokens')) return 'anthropic-count';
	if (p.endsWith('/v1/messages')) return 'anthropic';
	if (p.endsWith('/v1/responses')) return 'responses';
	if (/\/models\/[^/:]+:(generateContent|streamGenerateContent)$/.test(p)) return 'gemini';
	return null;
}

/**
 * The default answer of a provider endpoint, or null when the path is none
 * of them (or a Chat request the recordings answer as before).
 * `req` needs url and headers (lower-case names), as http.IncomingMessage has.
 */
export function providerAnswer(req, json) {
	const h = req.headers ?? {};
	switch (endpointOf(req.url)) {
	case 'chat': return chat(json);
	case 'anthropic': return anthropic(h, json, false);
	case 'anthropic-count': return anthropic(h, json, true);
	case 'responses': return responses(h, json);
	case 'gemini': return gemini(req.url, h, json);
	default: return null;
	}
}

/**
 * Re-check a recorded request ({path, headers, json} from up.requests) the
 * way the fake checked it: null when the provider would accept it, else the
 * error message.
 */
export function checkRequest(rec) {
	const h = rec.headers ?? {};
	try {
		switch (endpointOf(rec.path)) {
		case 'chat': chatCheck(rec.json); break;
		case 'anthropic': anthropicCheck(h, rec.json); break;
		case 'anthropic-count': anthropicCheck(h, rec.json, { count: true }); break;
		case 'responses': responsesCheck(h, rec.json); break;
		case 'gemini': geminiCheck(rec.path, h, rec.json); break;
		default: return null;
		}
	} catch (e) {
		if (e instanceof Bad) return e.message;
		throw e;
	}
	return null;
}
