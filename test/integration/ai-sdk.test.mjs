// test/integration/ai-sdk.test.mjs: the Vercel AI SDK (`ai` 7) through the gateway, with its
// three providers a user points at a gateway: @ai-sdk/openai (the Responses API),
// @ai-sdk/anthropic (Messages) and @ai-sdk/openai-compatible (Chat Completions), each to
// channels of the other protocols (the fake providers of test/fake/ refuse what the real APIs
// refuse). generateText and streamText with a tool the SDK runs itself: the fake model calls
// it, the SDK sends its result back in a second step, and the final text quotes the result.
//
//   cd test/integration && node --test ai-sdk.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, streamText, tool, jsonSchema, stepCountIs } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { setupRelay } from './relay-lib.mjs';

const CHANNELS = {
  chat: { prefix: 'sdk-chat', type: 1, model: 'gpt-4.1', config: '{}' },
  responses: { prefix: 'sdk-resp', type: 1, model: 'gpt-4.1-mini', config: '{"api_format":"response"}' },
  anthropic: { prefix: 'sdk-anth', type: 14, model: 'claude-sonnet-4-6', config: '{}' },
  gemini: { prefix: 'sdk-gem', type: 24, model: 'gemini-2.5-flash', config: '{}' },
};
// provider -> the channels it is tried on (every one of another protocol)
const CASES = [
  ['openai', ['chat', 'anthropic', 'gemini']],
  ['anthropic', ['chat', 'responses', 'gemini']],
  ['openai-compatible', ['responses', 'anthropic', 'gemini']],
];

describe('Vercel AI SDK through the gateway', () => {
  let R;
  let key;

  before(async () => {
    R = await setupRelay();
    await R.channels(Object.values(CHANNELS));
    const user = await R.user('sdk', { quota: 2000000000 });
    key = (await R.token(user, { unlimited_quota: true, name: 'sdk' })).key;
  });
  after(async () => { await R?.stop(); });

  const model = (provider, id) => {
    const opts = { baseURL: `${R.base}/v1`, apiKey: `sk-${key}` };
    if (provider === 'openai') return createOpenAI(opts)(id);	// the Responses API
    if (provider === 'anthropic') return createAnthropic(opts)(id);
    return createOpenAICompatible({ ...opts, name: 'oneapi', includeUsage: true })(id);
  };

  // a tool the SDK runs: "runs" the echo command the fake model asks for
  const ran = [];
  const tools = {
    run_command: tool({
      description: 'Run a shell command and return what it printed',
      inputSchema: jsonSchema({ type: 'object', properties: { command: { type: 'string' } }, required: ['command'], additionalProperties: false }),
      execute: async ({ command }) => { ran.push(command); return `${command.replace(/^echo /, '')}\n`; },
    }),
  };

  /** Every request under the prefix was accepted by the provider. */
  function assertAccepted(prefix, n) {
    const recs = R.up.requestsTo(`/${prefix}`);
    assert.equal(recs.length, n, `${recs.length} requests reached /${prefix}`);
    for (const rec of recs) assert.equal(rec.rejected, undefined, `/${prefix} refused a request: ${rec.rejected}\n${rec.body.slice(0, 1500)}`);
    return recs;
  }

  for (const [provider, protos] of CASES) {
    for (const proto of protos) {
      const c = CHANNELS[proto];
      for (const mode of ['generateText', 'streamText']) {
        it(`@ai-sdk/${provider} ${mode} with a tool -> ${proto} channel`, async () => {
          R.up.reset();
          ran.length = 0;
          const marker = `sdk-${provider}-${proto}-${mode}`;
          const args = { model: model(provider, c.model), tools, stopWhen: stepCountIs(3), maxRetries: 0, prompt: `Run the command \`echo ${marker}\` and tell me what it printed.` };
          // @ai-sdk/openai refers to earlier output by id (item_reference) unless store is false: the
          // gateway keeps no responses, so (as README says) a Responses client sends the items themselves
          if (provider === 'openai') args.providerOptions = { openai: { store: false } };
          let text;
          let steps;
          if (mode === 'generateText') {
            const r = await generateText(args);
            text = r.text;
            steps = r.steps;
          } else {
            let err;
            const r = streamText({ ...args, onError: ({ error }) => { err = error; } });
            let streamed = '';
            for await (const d of r.textStream) streamed += d;
            if (err) throw err;
            text = await r.text;
            steps = await r.steps;
            assert.ok(streamed.endsWith(text), 'the streamed text differs from the final text');
          }
          assert.deepEqual(ran, [`echo ${marker}`], 'the tool did not run once with the command');
          assert.equal(steps.length, 2, `${steps.length} steps`);
          assert.equal(steps[0].toolCalls[0]?.toolName, 'run_command');
          assert.match(text, new RegExp(`The command printed: ${marker}`));
          const recs = assertAccepted(c.prefix, 2);
          assert.ok(recs[1].body.includes(marker), 'the tool result did not reach the provider');
        });
      }
    }
  }
});
