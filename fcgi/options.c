/* fcgi/options.c: One API's OptionMap: defaults, the options table, typed reads, validated upsert */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "cfg.h"
#include "log.h"
#include "util.h"

/*
 * How a value is checked before it is stored (option_set) and read back.
 * One API (model/option.go updateOptionMap) parses ints with Atoi and
 * booleans with == "true" and silently turns garbage into 0/false; we refuse
 * such values instead, so what is stored always means what it says.
 */
enum otype { OT_STR, OT_BOOL, OT_INT, OT_REAL, OT_RATIO };

struct odef {
	const char *key;
	const char *def;	/* NULL: computed (see def_value) */
	enum otype type;
};

/*
 * One API's default price tables (relay/billing/ratio/model.go ModelRatio and
 * CompletionRatio, every entry), as the JSON One API's json.Marshal writes:
 * keys sorted, Go's constant arithmetic already done (RMB = 500 / 7 = 71 in
 * Go's integer constants; 1 = $0.002 / 1K tokens). Data, one member a line.
 * fcgi/billing.c reads them as the fallback behind the stored options.
 */
const char options_default_model_ratio[] = "{"
	"\"01-ai/yi-large\":1.5,"
	"\"360GPT_S2_V9\":0.8572,"
	"\"BLOOMZ-7B\":0.284,"
	"\"Baichuan2-53B\":1.42,"
	"\"Baichuan2-Turbo\":0.568,"
	"\"Baichuan2-Turbo-192k\":1.136,"
	"\"ERNIE-3.5-4K-0205\":0.852,"
	"\"ERNIE-3.5-8K\":0.852,"
	"\"ERNIE-3.5-8K-0205\":1.704,"
	"\"ERNIE-3.5-8K-1222\":0.852,"
	"\"ERNIE-4.0-8K\":8.52,"
	"\"ERNIE-Bot-8K\":1.704,"
	"\"ERNIE-Lite-8K-0308\":0.213,"
	"\"ERNIE-Lite-8K-0922\":0.568,"
	"\"ERNIE-Speed-128K\":0.284,"
	"\"ERNIE-Speed-8K\":0.284,"
	"\"ERNIE-Tiny-8K\":0.071,"
	"\"Embedding-V1\":0.142,"
	"\"SparkDesk\":1.2858,"
	"\"SparkDesk-v1.1\":1.2858,"
	"\"SparkDesk-v2.1\":1.2858,"
	"\"SparkDesk-v3.1\":1.2858,"
	"\"SparkDesk-v3.1-128K\":1.2858,"
	"\"SparkDesk-v3.5\":1.2858,"
	"\"SparkDesk-v3.5-32K\":1.2858,"
	"\"SparkDesk-v4.0\":1.2858,"
	"\"abab5.5-chat\":1.065,"
	"\"abab5.5s-chat\":0.355,"
	"\"abab6-chat\":7.1,"
	"\"abab6.5-chat\":2.13,"
	"\"abab6.5s-chat\":0.71,"
	"\"ada\":10,"
	"\"aetherwiing/mn-starcannon-12b\":0.6,"
	"\"ai21/jamba-1-5-large\":4,"
	"\"ai21/jamba-1-5-mini\":0.2,"
	"\"ai21/jamba-instruct\":0.35,"
	"\"aion-labs/aion-1.0\":6,"
	"\"aion-labs/aion-1.0-mini\":1.2,"
	"\"aion-labs/aion-rp-llama-3.1-8b\":0.1,"
	"\"ali-stable-diffusion-v1.5\":8,"
	"\"ali-stable-diffusion-xl\":8,"
	"\"allenai/llama-3.1-tulu-3-405b\":5,"
	"\"alpindale/goliath-120b\":4.6875,"
	"\"alpindale/magnum-72b\":1.125,"
	"\"amazon/nova-lite-v1\":0.12,"
	"\"amazon/nova-micro-v1\":0.07,"
	"\"amazon/nova-pro-v1\":1.6,"
	"\"anthracite-org/magnum-v2-72b\":1.5,"
	"\"anthracite-org/magnum-v4-72b\":1.125,"
	"\"anthropic/claude-2\":12,"
	"\"anthropic/claude-2.0\":12,"
	"\"anthropic/claude-2.0:beta\":12,"
	"\"anthropic/claude-2.1\":12,"
	"\"anthropic/claude-2.1:beta\":12,"
	"\"anthropic/claude-2:beta\":12,"
	"\"anthropic/claude-3-haiku\":0.625,"
	"\"anthropic/claude-3-haiku:beta\":0.625,"
	"\"anthropic/claude-3-opus\":37.5,"
	"\"anthropic/claude-3-opus:beta\":37.5,"
	"\"anthropic/claude-3-sonnet\":7.5,"
	"\"anthropic/claude-3-sonnet:beta\":7.5,"
	"\"anthropic/claude-3.5-haiku\":2,"
	"\"anthropic/claude-3.5-haiku-20241022\":2,"
	"\"anthropic/claude-3.5-haiku-20241022:beta\":2,"
	"\"anthropic/claude-3.5-haiku:beta\":2,"
	"\"anthropic/claude-3.5-sonnet\":7.5,"
	"\"anthropic/claude-3.5-sonnet-20240620\":7.5,"
	"\"anthropic/claude-3.5-sonnet-20240620:beta\":7.5,"
	"\"anthropic/claude-3.5-sonnet:beta\":7.5,"
	"\"aqa\":1,"
	"\"babbage\":10,"
	"\"babbage-002\":0.2,"
	"\"bge-large-en\":0.142,"
	"\"bge-large-zh\":0.142,"
	"\"black-forest-labs/flux-1.1-pro\":20,"
	"\"black-forest-labs/flux-1.1-pro-ultra\":30,"
	"\"black-forest-labs/flux-canny-dev\":12.5,"
	"\"black-forest-labs/flux-canny-pro\":25,"
	"\"black-forest-labs/flux-depth-dev\":12.5,"
	"\"black-forest-labs/flux-depth-pro\":25,"
	"\"black-forest-labs/flux-dev\":12.5,"
	"\"black-forest-labs/flux-dev-lora\":16,"
	"\"black-forest-labs/flux-fill-dev\":20,"
	"\"black-forest-labs/flux-fill-pro\":25,"
	"\"black-forest-labs/flux-pro\":27.5,"
	"\"black-forest-labs/flux-redux-dev\":12.5,"
	"\"black-forest-labs/flux-redux-schnell\":1.5,"
	"\"black-forest-labs/flux-schnell\":1.5,"
	"\"black-forest-labs/flux-schnell-lora\":10,"
	"\"charglm-4\":0.071,"
	"\"chatgpt-4o-latest\":2.5,"
	"\"claude-2.0\":4,"
	"\"claude-2.1\":4,"
	"\"claude-3-5-haiku-20241022\":0.5,"
	"\"claude-3-5-haiku-latest\":0.5,"
	"\"claude-3-5-sonnet-20240620\":1.5,"
	"\"claude-3-5-sonnet-20241022\":1.5,"
	"\"claude-3-5-sonnet-latest\":1.5,"
	"\"claude-3-haiku-20240307\":0.125,"
	"\"claude-3-opus-20240229\":7.5,"
	"\"claude-3-sonnet-20240229\":1.5,"
	"\"claude-instant-1.2\":0.4,"
	"\"code-davinci-edit-001\":10,"
	"\"codegeex-4\":0.0071,"
	"\"cognitivecomputations/dolphin-mixtral-8x22b\":0.45,"
	"\"cognitivecomputations/dolphin-mixtral-8x7b\":0.25,"
	"\"cogview-3\":7.1,"
	"\"cogview-3-flash\":0,"
	"\"cogview-3-plus\":4.26,"
	"\"cogviewx\":35.5,"
	"\"cogviewx-flash\":0,"
	"\"cohere/command\":0.95,"
	"\"cohere/command-r\":0.7125,"
	"\"cohere/command-r-03-2024\":0.7125,"
	"\"cohere/command-r-08-2024\":0.285,"
	"\"cohere/command-r-plus\":7.125,"
	"\"cohere/command-r-plus-04-2024\":7.125,"
	"\"cohere/command-r-plus-08-2024\":4.75,"
	"\"cohere/command-r7b-12-2024\":0.075,"
	"\"command\":0.5,"
	"\"command-light\":0.5,"
	"\"command-light-nightly\":0.5,"
	"\"command-nightly\":0.5,"
	"\"command-r\":0.25,"
	"\"command-r-plus\":1.5,"
	"\"curie\":10,"
	"\"dall-e-2\":10,"
	"\"dall-e-3\":20,"
	"\"databricks/dbrx-instruct\":0.6,"
	"\"davinci\":10,"
	"\"davinci-002\":1,"
	"\"deepl-en\":12.5,"
	"\"deepl-ja\":12.5,"
	"\"deepl-zh\":12.5,"
	"\"deepseek-chat\":0.07,"
	"\"deepseek-r1\":0.142,"
	"\"deepseek-r1-distill-llama-70b\":0.284,"
	"\"deepseek-r1-distill-llama-8b\":0.0355,"
	"\"deepseek-r1-distill-qwen-1.5b\":0.071,"
	"\"deepseek-r1-distill-qwen-14b\":0.071,"
	"\"deepseek-r1-distill-qwen-32b\":0.142,"
	"\"deepseek-r1-distill-qwen-7b\":0.0355,"
	"\"deepseek-reasoner\":0.275,"
	"\"deepseek-v3\":0.071,"
	"\"deepseek/deepseek-chat\":0.445,"
	"\"deepseek/deepseek-chat-v2.5\":1,"
	"\"deepseek/deepseek-chat:free\":0,"
	"\"deepseek/deepseek-r1\":1.2,"
	"\"deepseek/deepseek-r1-distill-llama-70b\":0.345,"
	"\"deepseek/deepseek-r1-distill-llama-70b:free\":0,"
	"\"deepseek/deepseek-r1-distill-llama-8b\":0.02,"
	"\"deepseek/deepseek-r1-distill-qwen-1.5b\":0.09,"
	"\"deepseek/deepseek-r1-distill-qwen-14b\":0.075,"
	"\"deepseek/deepseek-r1-distill-qwen-32b\":0.09,"
	"\"deepseek/deepseek-r1:free\":0,"
	"\"embedding-2\":0.0355,"
	"\"embedding-3\":0.0355,"
	"\"embedding-bert-512-v1\":0.0715,"
	"\"embedding_s1_v1\":0.0715,"
	"\"emohaa\":1.065,"
	"\"eva-unit-01/eva-llama-3.33-70b\":3,"
	"\"eva-unit-01/eva-qwen-2.5-32b\":1.7,"
	"\"eva-unit-01/eva-qwen-2.5-72b\":3,"
	"\"gemini-1.0-pro\":0.0625,"
	"\"gemini-1.5-flash\":0.0375,"
	"\"gemini-1.5-flash-001\":0.0375,"
	"\"gemini-1.5-flash-8b\":0.01875,"
	"\"gemini-1.5-pro\":0.625,"
	"\"gemini-1.5-pro-001\":0.625,"
	"\"gemini-1.5-pro-experimental\":0.625,"
	"\"gemini-2.0-flash\":0.075,"
	"\"gemini-2.0-flash-001\":0.075,"
	"\"gemini-2.0-flash-exp\":0.0375,"
	"\"gemini-2.0-flash-lite-preview-02-05\":0.0375,"
	"\"gemini-2.0-flash-thinking-exp-01-21\":0.0375,"
	"\"gemini-2.0-pro-exp-02-05\":0.625,"
	"\"gemini-pro\":0.125,"
	"\"gemma-7b-it\":0.000035,"
	"\"gemma2-9b-it\":0.0001,"
	"\"glm-3-turbo\":0.071,"
	"\"glm-4\":7.1,"
	"\"glm-4-0520\":7.1,"
	"\"glm-4-air\":0.0355,"
	"\"glm-4-airx\":0.71,"
	"\"glm-4-flash\":0,"
	"\"glm-4-flashx\":0.0071,"
	"\"glm-4-long\":0.071,"
	"\"glm-4-plus\":3.55,"
	"\"glm-4v\":3.55,"
	"\"glm-4v-flash\":0,"
	"\"glm-4v-plus\":0.284,"
	"\"glm-zero-preview\":0.71,"
	"\"google/gemini-2.0-flash-001\":0.2,"
	"\"google/gemini-2.0-flash-exp:free\":0,"
	"\"google/gemini-2.0-flash-lite-preview-02-05:free\":0,"
	"\"google/gemini-2.0-flash-thinking-exp-1219:free\":0,"
	"\"google/gemini-2.0-flash-thinking-exp:free\":0,"
	"\"google/gemini-2.0-pro-exp-02-05:free\":0,"
	"\"google/gemini-exp-1206:free\":0,"
	"\"google/gemini-flash-1.5\":0.15,"
	"\"google/gemini-flash-1.5-8b\":0.075,"
	"\"google/gemini-flash-1.5-8b-exp\":0,"
	"\"google/gemini-pro\":0.75,"
	"\"google/gemini-pro-1.5\":2.5,"
	"\"google/gemini-pro-vision\":0.75,"
	"\"google/gemma-2-27b-it\":0.135,"
	"\"google/gemma-2-9b-it\":0.03,"
	"\"google/gemma-2-9b-it:free\":0,"
	"\"google/gemma-7b-it\":0.075,"
	"\"google/learnlm-1.5-pro-experimental:free\":0,"
	"\"google/palm-2-chat-bison\":1,"
	"\"google/palm-2-chat-bison-32k\":1,"
	"\"google/palm-2-codechat-bison\":1,"
	"\"google/palm-2-codechat-bison-32k\":1,"
	"\"gpt-3.5-turbo\":0.25,"
	"\"gpt-3.5-turbo-0125\":0.25,"
	"\"gpt-3.5-turbo-0301\":0.75,"
	"\"gpt-3.5-turbo-0613\":0.75,"
	"\"gpt-3.5-turbo-1106\":0.5,"
	"\"gpt-3.5-turbo-16k\":1.5,"
	"\"gpt-3.5-turbo-16k-0613\":1.5,"
	"\"gpt-3.5-turbo-instruct\":0.75,"
	"\"gpt-4\":15,"
	"\"gpt-4-0125-preview\":5,"
	"\"gpt-4-0314\":15,"
	"\"gpt-4-0613\":15,"
	"\"gpt-4-1106-preview\":5,"
	"\"gpt-4-32k\":30,"
	"\"gpt-4-32k-0314\":30,"
	"\"gpt-4-32k-0613\":30,"
	"\"gpt-4-turbo\":5,"
	"\"gpt-4-turbo-2024-04-09\":5,"
	"\"gpt-4-turbo-preview\":5,"
	"\"gpt-4-vision-preview\":5,"
	"\"gpt-4o\":2.5,"
	"\"gpt-4o-2024-05-13\":2.5,"
	"\"gpt-4o-2024-08-06\":1.25,"
	"\"gpt-4o-2024-11-20\":1.25,"
	"\"gpt-4o-mini\":0.075,"
	"\"gpt-4o-mini-2024-07-18\":0.075,"
	"\"grok-beta\":2.5,"
	"\"gryphe/mythomax-l2-13b\":0.0325,"
	"\"gryphe/mythomax-l2-13b:free\":0,"
	"\"huggingfaceh4/zephyr-7b-beta:free\":0,"
	"\"hunyuan-code\":0.284,"
	"\"hunyuan-embedding\":0.0497,"
	"\"hunyuan-functioncall\":0.284,"
	"\"hunyuan-large\":0.284,"
	"\"hunyuan-large-longcontext\":0.426,"
	"\"hunyuan-role\":0.284,"
	"\"hunyuan-standard\":0.0568,"
	"\"hunyuan-standard-256K\":0.0355,"
	"\"hunyuan-translation-lite\":0.355,"
	"\"hunyuan-turbo\":1.065,"
	"\"hunyuan-turbo-vision\":5.68,"
	"\"hunyuan-vision\":1.278,"
	"\"ibm-granite/granite-20b-code-instruct-8k\":50,"
	"\"ibm-granite/granite-3.0-2b-instruct\":15,"
	"\"ibm-granite/granite-3.0-8b-instruct\":25,"
	"\"ibm-granite/granite-8b-code-instruct-128k\":25,"
	"\"ideogram-ai/ideogram-v2\":40,"
	"\"ideogram-ai/ideogram-v2-turbo\":25,"
	"\"infermatic/mn-inferor-12b\":0.6,"
	"\"inflection/inflection-3-pi\":5,"
	"\"inflection/inflection-3-productivity\":5,"
	"\"jondurbin/airoboros-l2-70b\":0.25,"
	"\"liquid/lfm-3b\":0.01,"
	"\"liquid/lfm-40b\":0.075,"
	"\"liquid/lfm-7b\":0.005,"
	"\"llama-3.1-70b-versatile\":0.000295,"
	"\"llama-3.1-8b-instant\":0.000025,"
	"\"llama-3.2-11b-text-preview\":0.000025,"
	"\"llama-3.2-11b-vision-preview\":0.000025,"
	"\"llama-3.2-1b-preview\":0.000025,"
	"\"llama-3.2-3b-preview\":0.000025,"
	"\"llama-3.2-90b-text-preview\":0.000295,"
	"\"llama-guard-3-8b\":0.000025,"
	"\"llama3-70b-8192\":0.000295,"
	"\"llama3-70b-8192(33)\":1.325,"
	"\"llama3-8b-8192\":0.000025,"
	"\"llama3-8b-8192(33)\":0.15,"
	"\"llama3-groq-70b-8192-tool-use-preview\":0.000445,"
	"\"llama3-groq-8b-8192-tool-use-preview\":0.000095,"
	"\"mancer/weaver\":1.125,"
	"\"meta-llama/llama-2-13b-chat\":0.11,"
	"\"meta-llama/llama-2-70b-chat\":0.45,"
	"\"meta-llama/llama-3-70b-instruct\":0.2,"
	"\"meta-llama/llama-3-8b-instruct\":0.03,"
	"\"meta-llama/llama-3-8b-instruct:free\":0,"
	"\"meta-llama/llama-3.1-405b\":1,"
	"\"meta-llama/llama-3.1-405b-instruct\":0.4,"
	"\"meta-llama/llama-3.1-70b-instruct\":0.15,"
	"\"meta-llama/llama-3.1-8b-instruct\":0.025,"
	"\"meta-llama/llama-3.2-11b-vision-instruct\":0.0275,"
	"\"meta-llama/llama-3.2-11b-vision-instruct:free\":0,"
	"\"meta-llama/llama-3.2-1b-instruct\":0.005,"
	"\"meta-llama/llama-3.2-3b-instruct\":0.0125,"
	"\"meta-llama/llama-3.2-90b-vision-instruct\":0.8,"
	"\"meta-llama/llama-3.3-70b-instruct\":0.15,"
	"\"meta-llama/llama-3.3-70b-instruct:free\":0,"
	"\"meta-llama/llama-guard-2-8b\":0.1,"
	"\"meta/llama-2-13b\":50,"
	"\"meta/llama-2-13b-chat\":50,"
	"\"meta/llama-2-70b\":325,"
	"\"meta/llama-2-70b-chat\":325,"
	"\"meta/llama-2-7b\":25,"
	"\"meta/llama-2-7b-chat\":25,"
	"\"meta/meta-llama-3-70b\":325,"
	"\"meta/meta-llama-3-70b-instruct\":325,"
	"\"meta/meta-llama-3-8b\":25,"
	"\"meta/meta-llama-3-8b-instruct\":25,"
	"\"meta/meta-llama-3.1-405b-instruct\":4750,"
	"\"microsoft/phi-3-medium-128k-instruct\":0.5,"
	"\"microsoft/phi-3-medium-128k-instruct:free\":0,"
	"\"microsoft/phi-3-mini-128k-instruct\":0.05,"
	"\"microsoft/phi-3-mini-128k-instruct:free\":0,"
	"\"microsoft/phi-3.5-mini-128k-instruct\":0.05,"
	"\"microsoft/phi-4\":0.07,"
	"\"microsoft/wizardlm-2-7b\":0.035,"
	"\"microsoft/wizardlm-2-8x22b\":0.25,"
	"\"minimax/minimax-01\":0.55,"
	"\"mistral-embed\":0.05,"
	"\"mistral-large-latest\":4,"
	"\"mistral-medium-latest\":1.35,"
	"\"mistral-small-latest\":1,"
	"\"mistralai/codestral-2501\":0.45,"
	"\"mistralai/codestral-mamba\":0.125,"
	"\"mistralai/ministral-3b\":0.02,"
	"\"mistralai/ministral-8b\":0.05,"
	"\"mistralai/mistral-7b-instruct\":0.0275,"
	"\"mistralai/mistral-7b-instruct-v0.1\":0.1,"
	"\"mistralai/mistral-7b-instruct-v0.2\":25,"
	"\"mistralai/mistral-7b-instruct-v0.3\":0.0275,"
	"\"mistralai/mistral-7b-instruct:free\":0,"
	"\"mistralai/mistral-7b-v0.1\":25,"
	"\"mistralai/mistral-large\":3,"
	"\"mistralai/mistral-large-2407\":3,"
	"\"mistralai/mistral-large-2411\":3,"
	"\"mistralai/mistral-medium\":4.05,"
	"\"mistralai/mistral-nemo\":0.04,"
	"\"mistralai/mistral-nemo:free\":0,"
	"\"mistralai/mistral-small\":0.3,"
	"\"mistralai/mistral-small-24b-instruct-2501\":0.07,"
	"\"mistralai/mistral-small-24b-instruct-2501:free\":0,"
	"\"mistralai/mistral-tiny\":0.125,"
	"\"mistralai/mixtral-8x22b-instruct\":0.45,"
	"\"mistralai/mixtral-8x7b\":0.3,"
	"\"mistralai/mixtral-8x7b-instruct\":0.12,"
	"\"mistralai/mixtral-8x7b-instruct-v0.1\":150,"
	"\"mistralai/pixtral-12b\":0.05,"
	"\"mistralai/pixtral-large-2411\":3,"
	"\"mixtral-8x7b-32768\":0.00012,"
	"\"moonshot-v1-128k\":4.26,"
	"\"moonshot-v1-32k\":1.704,"
	"\"moonshot-v1-8k\":0.852,"
	"\"neversleep/llama-3-lumimaid-70b\":2.25,"
	"\"neversleep/llama-3-lumimaid-8b\":0.5625,"
	"\"neversleep/llama-3-lumimaid-8b:extended\":0.5625,"
	"\"neversleep/llama-3.1-lumimaid-70b\":2.25,"
	"\"neversleep/llama-3.1-lumimaid-8b\":0.5625,"
	"\"neversleep/noromaid-20b\":1.125,"
	"\"nothingiisreal/mn-celeste-12b\":0.6,"
	"\"nousresearch/hermes-2-pro-llama-3-8b\":0.02,"
	"\"nousresearch/hermes-3-llama-3.1-405b\":0.4,"
	"\"nousresearch/hermes-3-llama-3.1-70b\":0.15,"
	"\"nousresearch/nous-hermes-2-mixtral-8x7b-dpo\":0.3,"
	"\"nousresearch/nous-hermes-llama2-13b\":0.085,"
	"\"nvidia/llama-3.1-nemotron-70b-instruct\":0.15,"
	"\"nvidia/llama-3.1-nemotron-70b-instruct:free\":0,"
	"\"o1\":7.5,"
	"\"o1-2024-12-17\":7.5,"
	"\"o1-mini\":1.5,"
	"\"o1-mini-2024-09-12\":1.5,"
	"\"o1-preview\":7.5,"
	"\"o1-preview-2024-09-12\":7.5,"
	"\"o3-mini\":1.5,"
	"\"o3-mini-2025-01-31\":1.5,"
	"\"open-mistral-7b\":0.125,"
	"\"open-mixtral-8x7b\":0.35,"
	"\"openai/chatgpt-4o-latest\":7.5,"
	"\"openai/gpt-3.5-turbo\":0.75,"
	"\"openai/gpt-3.5-turbo-0125\":0.75,"
	"\"openai/gpt-3.5-turbo-0613\":1,"
	"\"openai/gpt-3.5-turbo-1106\":1,"
	"\"openai/gpt-3.5-turbo-16k\":2,"
	"\"openai/gpt-3.5-turbo-instruct\":1,"
	"\"openai/gpt-4\":30,"
	"\"openai/gpt-4-0314\":30,"
	"\"openai/gpt-4-1106-preview\":15,"
	"\"openai/gpt-4-32k\":60,"
	"\"openai/gpt-4-32k-0314\":60,"
	"\"openai/gpt-4-turbo\":15,"
	"\"openai/gpt-4-turbo-preview\":15,"
	"\"openai/gpt-4o\":5,"
	"\"openai/gpt-4o-2024-05-13\":7.5,"
	"\"openai/gpt-4o-2024-08-06\":5,"
	"\"openai/gpt-4o-2024-11-20\":5,"
	"\"openai/gpt-4o-mini\":0.3,"
	"\"openai/gpt-4o-mini-2024-07-18\":0.3,"
	"\"openai/gpt-4o:extended\":9,"
	"\"openai/o1\":30,"
	"\"openai/o1-mini\":2.2,"
	"\"openai/o1-mini-2024-09-12\":2.2,"
	"\"openai/o1-preview\":30,"
	"\"openai/o1-preview-2024-09-12\":30,"
	"\"openai/o3-mini\":2.2,"
	"\"openai/o3-mini-high\":2.2,"
	"\"openchat/openchat-7b\":0.0275,"
	"\"openchat/openchat-7b:free\":0,"
	"\"openrouter/auto\":-500000,"
	"\"perplexity/llama-3.1-sonar-huge-128k-online\":2.5,"
	"\"perplexity/llama-3.1-sonar-large-128k-chat\":0.5,"
	"\"perplexity/llama-3.1-sonar-large-128k-online\":0.5,"
	"\"perplexity/llama-3.1-sonar-small-128k-chat\":0.1,"
	"\"perplexity/llama-3.1-sonar-small-128k-online\":0.1,"
	"\"perplexity/sonar\":0.5,"
	"\"perplexity/sonar-reasoning\":2.5,"
	"\"pygmalionai/mythalion-13b\":0.6,"
	"\"qvq-72b-preview\":0.852,"
	"\"qwen-1.8b-chat\":0.426,"
	"\"qwen-1.8b-longcontext-chat\":0.426,"
	"\"qwen-14b-chat\":0.568,"
	"\"qwen-72b-chat\":1.42,"
	"\"qwen-7b-chat\":0.426,"
	"\"qwen-audio-chat\":0.142,"
	"\"qwen-audio-turbo\":1.4286,"
	"\"qwen-coder-plus\":0.2485,"
	"\"qwen-coder-plus-latest\":0.2485,"
	"\"qwen-coder-turbo\":0.142,"
	"\"qwen-coder-turbo-latest\":0.142,"
	"\"qwen-math-plus\":0.284,"
	"\"qwen-math-plus-latest\":0.284,"
	"\"qwen-math-turbo\":0.142,"
	"\"qwen-math-turbo-latest\":0.142,"
	"\"qwen-max\":0.1704,"
	"\"qwen-max-latest\":0.1704,"
	"\"qwen-max-longcontext\":0.0355,"
	"\"qwen-mt-plus\":1.065,"
	"\"qwen-mt-turbo\":0.071,"
	"\"qwen-plus\":0.0568,"
	"\"qwen-plus-latest\":0.0568,"
	"\"qwen-turbo\":0.0213,"
	"\"qwen-turbo-latest\":0.0213,"
	"\"qwen-vl-chat-v1\":0.142,"
	"\"qwen-vl-max\":0.213,"
	"\"qwen-vl-max-latest\":0.213,"
	"\"qwen-vl-ocr\":0.355,"
	"\"qwen-vl-ocr-latest\":0.355,"
	"\"qwen-vl-plus\":0.1065,"
	"\"qwen-vl-plus-latest\":0.1065,"
	"\"qwen-vl-v1\":0.142,"
	"\"qwen/qvq-72b-preview\":0.25,"
	"\"qwen/qwen-2-72b-instruct\":0.45,"
	"\"qwen/qwen-2-7b-instruct\":0.027,"
	"\"qwen/qwen-2-7b-instruct:free\":0,"
	"\"qwen/qwen-2-vl-72b-instruct\":0.2,"
	"\"qwen/qwen-2-vl-7b-instruct\":0.05,"
	"\"qwen/qwen-2.5-72b-instruct\":0.2,"
	"\"qwen/qwen-2.5-7b-instruct\":0.025,"
	"\"qwen/qwen-2.5-coder-32b-instruct\":0.08,"
	"\"qwen/qwen-max\":3.2,"
	"\"qwen/qwen-plus\":0.6,"
	"\"qwen/qwen-turbo\":0.1,"
	"\"qwen/qwen-vl-plus:free\":0,"
	"\"qwen/qwen2.5-vl-72b-instruct:free\":0,"
	"\"qwen/qwq-32b-preview\":0.09,"
	"\"qwen1.5-0.5b-chat\":0.071,"
	"\"qwen1.5-1.8b-chat\":0.071,"
	"\"qwen1.5-110b-chat\":0.497,"
	"\"qwen1.5-14b-chat\":0.142,"
	"\"qwen1.5-32b-chat\":0.2485,"
	"\"qwen1.5-72b-chat\":0.355,"
	"\"qwen1.5-7b-chat\":0.071,"
	"\"qwen2-0.5b-instruct\":0.071,"
	"\"qwen2-1.5b-instruct\":0.071,"
	"\"qwen2-57b-a14b-instruct\":0.2485,"
	"\"qwen2-72b-instruct\":0.284,"
	"\"qwen2-7b-instruct\":0.071,"
	"\"qwen2-audio-instruct\":0.142,"
	"\"qwen2-math-1.5b-instruct\":0.071,"
	"\"qwen2-math-72b-instruct\":0.284,"
	"\"qwen2-math-7b-instruct\":0.071,"
	"\"qwen2-vl-2b-instruct\":0.142,"
	"\"qwen2-vl-7b-instruct\":1.136,"
	"\"qwen2.5-0.5b-instruct\":0.0213,"
	"\"qwen2.5-1.5b-instruct\":0.0213,"
	"\"qwen2.5-14b-instruct\":0.071,"
	"\"qwen2.5-32b-instruct\":2.13,"
	"\"qwen2.5-3b-instruct\":0.426,"
	"\"qwen2.5-72b-instruct\":0.284,"
	"\"qwen2.5-7b-instruct\":0.0355,"
	"\"qwen2.5-coder-0.5b-instruct\":0.071,"
	"\"qwen2.5-coder-1.5b-instruct\":0.071,"
	"\"qwen2.5-coder-14b-instruct\":0.142,"
	"\"qwen2.5-coder-32b-instruct\":0.142,"
	"\"qwen2.5-coder-3b-instruct\":0.071,"
	"\"qwen2.5-coder-7b-instruct\":0.071,"
	"\"qwen2.5-math-1.5b-instruct\":0.071,"
	"\"qwen2.5-math-72b-instruct\":0.284,"
	"\"qwen2.5-math-7b-instruct\":0.071,"
	"\"qwen2.5-vl-3b-instruct\":0.0852,"
	"\"qwen2.5-vl-72b-instruct\":1.136,"
	"\"qwen2.5-vl-7b-instruct\":0.142,"
	"\"qwq-32b-preview\":0.142,"
	"\"raifle/sorcererlm-8x22b\":2.25,"
	"\"recraft-ai/recraft-v3\":20,"
	"\"recraft-ai/recraft-v3-svg\":40,"
	"\"sao10k/fimbulvetr-11b-v2\":0.6,"
	"\"sao10k/l3-euryale-70b\":0.4,"
	"\"sao10k/l3-lunaris-8b\":0.03,"
	"\"sao10k/l3.1-70b-hanami-x1\":1.5,"
	"\"sao10k/l3.1-euryale-70b\":0.4,"
	"\"sao10k/l3.3-euryale-70b\":0.4,"
	"\"semantic_similarity_s1_v1\":0.0715,"
	"\"sophosympatheia/midnight-rose-70b\":0.4,"
	"\"sophosympatheia/rogue-rose-103b-v0.2:free\":0,"
	"\"stability-ai/stable-diffusion-3\":17.5,"
	"\"stability-ai/stable-diffusion-3.5-large\":32.5,"
	"\"stability-ai/stable-diffusion-3.5-large-turbo\":20,"
	"\"stability-ai/stable-diffusion-3.5-medium\":17.5,"
	"\"step-1-128k\":0.00284,"
	"\"step-1-256k\":0.006745,"
	"\"step-1-32k\":0.001065,"
	"\"step-1-8k\":0.000355,"
	"\"step-1-flash\":0.000071,"
	"\"step-1v-32k\":0.001065,"
	"\"step-1v-8k\":0.000355,"
	"\"step-2-16k\":0.002698,"
	"\"tao-8k\":0.142,"
	"\"teknium/openhermes-2.5-mistral-7b\":0.085,"
	"\"text-ada-001\":0.2,"
	"\"text-babbage-001\":0.25,"
	"\"text-curie-001\":1,"
	"\"text-davinci-002\":10,"
	"\"text-davinci-003\":10,"
	"\"text-davinci-edit-001\":10,"
	"\"text-embedding-3-large\":0.065,"
	"\"text-embedding-3-small\":0.01,"
	"\"text-embedding-ada-002\":0.05,"
	"\"text-embedding-async-v1\":0.0497,"
	"\"text-embedding-async-v2\":0.0497,"
	"\"text-embedding-v1\":0.0497,"
	"\"text-embedding-v2\":0.0497,"
	"\"text-embedding-v3\":0.0497,"
	"\"text-moderation-latest\":0.1,"
	"\"text-moderation-stable\":0.1,"
	"\"text-search-ada-doc-001\":10,"
	"\"thedrummer/rocinante-12b\":0.25,"
	"\"thedrummer/unslopnemo-12b\":0.25,"
	"\"tts-1\":7.5,"
	"\"tts-1-1106\":7.5,"
	"\"tts-1-hd\":15,"
	"\"tts-1-hd-1106\":15,"
	"\"undi95/remm-slerp-l2-13b\":0.6,"
	"\"undi95/toppy-m-7b\":0.035,"
	"\"undi95/toppy-m-7b:free\":0,"
	"\"wanx-v1\":8,"
	"\"whisper-1\":15,"
	"\"x-ai/grok-2-1212\":5,"
	"\"x-ai/grok-2-vision-1212\":5,"
	"\"x-ai/grok-beta\":7.5,"
	"\"x-ai/grok-vision-beta\":7.5,"
	"\"xwin-lm/xwin-lm-70b\":1.875,"
	"\"yi-34b-chat-0205\":0.1775,"
	"\"yi-34b-chat-200k\":0.852,"
	"\"yi-vl-plus\":0.426"
	"}";
const char options_default_completion_ratio[] = "{"
	"\"deepseek-chat\":2,"
	"\"deepseek-reasoner\":3.981818181818182,"
	"\"llama3-70b-8192(33)\":1.320754716981132,"
	"\"llama3-8b-8192(33)\":2,"
	"\"whisper-1\":0"
	"}";
/* Ours (the maintained fork prices cached input per model too): what a
 * prompt token served from the provider's cache costs, relative to a normal
 * one, per model; OpenAI's published discounts. Missing model = full price. */
#define DEFAULT_CACHED_INPUT_RATIO "{" \
	"\"gpt-4o\":0.5,\"gpt-4o-mini\":0.5,\"o1\":0.5,\"o1-mini\":0.5,\"o3-mini\":0.5," \
	"\"o3\":0.25,\"o4-mini\":0.25,\"gpt-4.1\":0.25,\"gpt-4.1-mini\":0.25," \
	"\"gpt-4.1-nano\":0.25,\"gpt-5\":0.1,\"gpt-5-mini\":0.1,\"gpt-5-nano\":0.1}"
#define DEFAULT_MODEL_RATIO options_default_model_ratio
#define DEFAULT_COMPLETION_RATIO options_default_completion_ratio

/* One API's InitOptionMap (model/option.go) with common/config defaults, in
 * the order GET /api/option/ lists them. The Lark and OIDC client settings
 * are not in One API's InitOptionMap (only set when stored); we list them
 * with empty defaults so the UI and scripts always find them. */
static const struct odef defs[] = {
	{ "PasswordLoginEnabled", "true", OT_BOOL },
	{ "PasswordRegisterEnabled", "true", OT_BOOL },
	{ "EmailVerificationEnabled", "false", OT_BOOL },
	{ "GitHubOAuthEnabled", "false", OT_BOOL },
	{ "OidcEnabled", "false", OT_BOOL },
	{ "WeChatAuthEnabled", "false", OT_BOOL },
	{ "TurnstileCheckEnabled", "false", OT_BOOL },
	{ "RegisterEnabled", "true", OT_BOOL },
	{ "AutomaticDisableChannelEnabled", "false", OT_BOOL },
	{ "AutomaticEnableChannelEnabled", "false", OT_BOOL },
	{ "ApproximateTokenEnabled", "false", OT_BOOL },
	{ "LogConsumeEnabled", "true", OT_BOOL },
	{ "DisplayInCurrencyEnabled", "true", OT_BOOL },
	{ "DisplayTokenStatEnabled", "true", OT_BOOL },
	{ "ChannelDisableThreshold", "5", OT_REAL },
	{ "EmailDomainRestrictionEnabled", "false", OT_BOOL },
	{ "EmailDomainWhitelist",
	  "gmail.com,163.com,126.com,qq.com,outlook.com,hotmail.com,icloud.com,yahoo.com,foxmail.com", OT_STR },
	{ "SMTPServer", "", OT_STR },
	{ "SMTPFrom", "", OT_STR },
	{ "SMTPPort", "587", OT_INT },
	{ "SMTPAccount", "", OT_STR },
	{ "SMTPToken", "", OT_STR },
	{ "Notice", "", OT_STR },
	{ "About", "", OT_STR },
	{ "HomePageContent", "", OT_STR },
	{ "Footer", "", OT_STR },
	{ "SystemName", "One API", OT_STR },
	{ "Logo", "", OT_STR },
	{ "ServerAddress", NULL, OT_STR },
	{ "GitHubClientId", "", OT_STR },
	{ "GitHubClientSecret", "", OT_STR },
	{ "LarkClientId", "", OT_STR },
	{ "LarkClientSecret", "", OT_STR },
	{ "OidcClientId", "", OT_STR },
	{ "OidcClientSecret", "", OT_STR },
	{ "OidcWellKnown", "", OT_STR },
	{ "OidcAuthorizationEndpoint", "", OT_STR },
	{ "OidcTokenEndpoint", "", OT_STR },
	{ "OidcUserinfoEndpoint", "", OT_STR },
	{ "WeChatServerAddress", "", OT_STR },
	{ "WeChatServerToken", "", OT_STR },
	{ "WeChatAccountQRCodeImageURL", "", OT_STR },
	{ "MessagePusherAddress", "", OT_STR },
	{ "MessagePusherToken", "", OT_STR },
	{ "TurnstileSiteKey", "", OT_STR },
	{ "TurnstileSecretKey", "", OT_STR },
	{ "QuotaForNewUser", "0", OT_INT },
	{ "QuotaForInviter", "0", OT_INT },
	{ "QuotaForInvitee", "0", OT_INT },
	{ "QuotaRemindThreshold", "1000", OT_INT },
	{ "PreConsumedQuota", "500", OT_INT },
	{ "ModelRatio", DEFAULT_MODEL_RATIO, OT_RATIO },
	{ "GroupRatio", "{\"default\":1,\"svip\":1,\"vip\":1}", OT_RATIO },
	{ "CompletionRatio", DEFAULT_COMPLETION_RATIO, OT_RATIO },
	{ "CachedInputRatio", DEFAULT_CACHED_INPUT_RATIO, OT_RATIO },
	{ "TopUpLink", "", OT_STR },
	{ "ChatLink", "", OT_STR },
	{ "QuotaPerUnit", "500000", OT_REAL },
	{ "RetryTimes", "0", OT_INT },
	{ "Theme", "default", OT_STR },
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* One entry of the in-memory map. parsed holds the decoded JSON of ratio
 * maps (read-only once published). */
struct oent {
	char *key;
	char *value;
	json_t *parsed;
};

struct omap {
	struct oent *v;
	size_t n, cap;
};

/* The published map: readers take the read lock; options_load builds a new
 * map off-lock and swaps it in; option_set edits in place under the write
 * lock. reload_mu keeps reloads to one thread at a time. */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static struct omap live;
static int64_t loaded_at;

static const struct odef *
find_def(const char *key)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

static enum otype
type_of(const char *key)
{
	const struct odef *d = find_def(key);
	size_t n;

	if (d)
		return d->type;
	/* One API treats every key ending in "Enabled" as a boolean */
	n = strlen(key);
	if (n >= 7 && strcmp(key + n - 7, "Enabled") == 0)
		return OT_BOOL;
	return OT_STR;
}

static const char *
def_value(const struct odef *d)
{
	if (d->def)
		return d->def;
	/* ServerAddress: One API shows config.ServerAddress on /api/status */
	return cfg && cfg->server_address ? cfg->server_address : "http://localhost:3000";
}

/* A JSON object whose every member is a number, or NULL (new reference). */
static json_t *
parse_ratio(const char *s)
{
	json_t *j, *v;
	const char *k;

	j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return NULL;
	if (!json_is_object(j))
		goto bad;
	json_object_foreach(j, k, v) {
		if (!json_is_number(v))
			goto bad;
	}
	return j;
bad:
	json_decref(j);
	return NULL;
}

/* Strict decimal float: the whole string, finite. */
static int
parse_real(const char *s, double *out)
{
	char *end;
	double d;

	if (s == NULL || *s == '\0' || strchr(" \t\r\n", *s))
		return GW_EINPUT;
	d = strtod(s, &end);
	if (*end != '\0' || !isfinite(d))
		return GW_EINPUT;
	*out = d;
	return GW_OK;
}

static void
omap_release(struct omap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
		json_decref(m->v[i].parsed);
	}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

static struct oent *
omap_find(struct omap *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	return NULL;
}

/* Set key to value (copied); parsed is taken over (may be NULL). */
static int
omap_put(struct omap *m, const char *key, const char *value, json_t *parsed)
{
	struct oent *e = omap_find(m, key), *nv;
	char *v;

	if ((v = strdup(value)) == NULL)
		goto nomem;
	if (e) {
		free(e->value);
		json_decref(e->parsed);
		e->value = v;
		e->parsed = parsed;
		return GW_OK;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 96;
		if ((nv = realloc(m->v, cap * sizeof(*nv))) == NULL)
			goto nomem_v;
		m->v = nv;
		m->cap = cap;
	}
	e = &m->v[m->n];
	if ((e->key = strdup(key)) == NULL)
		goto nomem_v;
	e->value = v;
	e->parsed = parsed;
	m->n++;
	return GW_OK;
nomem_v:
	free(v);
nomem:
	json_decref(parsed);
	return GW_ENOMEM;
}

/* One API's AddNewMissingRatio: stored ModelRatio plus the default entries
 * it lacks. Returns a new serialisation (free()) or NULL to keep the value. */
static char *
merge_missing(json_t *stored, const char *defaults)
{
	json_t *d = json_loads(defaults, 0, NULL), *v;
	const char *k;
	int added = 0;
	char *out = NULL;

	if (d == NULL)
		return NULL;
	json_object_foreach(d, k, v) {
		if (json_object_get(stored, k) == NULL) {
			json_object_set(stored, k, v);
			added = 1;
		}
	}
	if (added)
		out = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	return out;
}

/* Add one stored row to m, as One API's loadOptionsFromDatabase does. */
static int
load_row(struct omap *m, const char *key, const char *value)
{
	json_t *parsed = NULL;
	char *merged = NULL;
	int rc;

	if (type_of(key) == OT_RATIO) {
		if ((parsed = parse_ratio(value)) == NULL) {
			log_warn("options: stored %s is not a JSON object of numbers; keeping the default", key);
			return GW_OK;
		}
		if (strcmp(key, "ModelRatio") == 0)
			merged = merge_missing(parsed, DEFAULT_MODEL_RATIO);
	}
	rc = omap_put(m, key, merged ? merged : value, parsed);
	free(merged);
	return rc;
}

static int
build_defaults(struct omap *m)
{
	json_t *parsed;
	size_t i;
	int rc;

	for (i = 0; i < NDEFS; i++) {
		parsed = defs[i].type == OT_RATIO ? parse_ratio(defs[i].def) : NULL;
		if ((rc = omap_put(m, defs[i].key, def_value(&defs[i]), parsed)) != GW_OK)
			return rc;
	}
	return GW_OK;
}

int
options_load(struct db *db)
{
	struct omap m = { NULL, 0, 0 }, old;
	struct db_stmt *st = NULL;
	int rc, more;

	if ((rc = build_defaults(&m)) != GW_OK)
		goto out;
	if (db && db_has_table(db, "options")) {
		rc = db_query(db, &st, "SELECT `key`, value FROM options", DB_NOARGS);
		if (rc != GW_OK)
			goto out;
		while ((more = db_next(st)) == 1) {
			if (db_isnull(st, 0))
				continue;
			if ((rc = load_row(&m, db_text(st, 0), db_text(st, 1))) != GW_OK)
				goto out;
		}
		if (more < 0) {
			rc = GW_EDB;
			goto out;
		}
	} else if (db) {
		log_warn("options: no options table yet; using defaults");
	}
	pthread_rwlock_wrlock(&lock);
	old = live;
	live = m;
	loaded_at = now_sec();
	pthread_rwlock_unlock(&lock);
	m = old;
	rc = GW_OK;
out:
	if (st)
		db_done(st);
	omap_release(&m);
	return rc;
}

void
options_maybe_reload(struct db *db)
{
	int64_t freq = cfg ? cfg->sync_frequency : 600, at;

	if (freq <= 0)
		return;
	pthread_rwlock_rdlock(&lock);
	at = loaded_at;
	pthread_rwlock_unlock(&lock);
	if (at != 0 && now_sec() - at < freq)
		return;
	if (pthread_mutex_trylock(&reload_mu) != 0)
		return;		/* another thread is reloading */
	pthread_rwlock_rdlock(&lock);
	at = loaded_at;
	pthread_rwlock_unlock(&lock);
	if (at == 0 || now_sec() - at >= freq) {
		if (options_load(db) != GW_OK)
			log_warn("options: reload from the database failed; keeping the old values");
	}
	pthread_mutex_unlock(&reload_mu);
}

/* The value of key while holding the read lock, or NULL. */
static const char *
peek(const char *key)
{
	struct oent *e = omap_find(&live, key);

	return e ? e->value : NULL;
}

char *
option_dup(struct arena *a, const char *key)
{
	const char *v;
	char *out = NULL;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL)
		out = arena_strdup(a, v);
	pthread_rwlock_unlock(&lock);
	return out;
}

int
option_bool(const char *key, int fallback)
{
	const char *v;
	int out = fallback;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL) {
		if (strcmp(v, "true") == 0)
			out = 1;
		else if (strcmp(v, "false") == 0)
			out = 0;
	}
	pthread_rwlock_unlock(&lock);
	return out;
}

int64_t
option_int(const char *key, int64_t fallback)
{
	const char *v;
	int64_t out = fallback, x;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL && parse_i64(v, INT64_MIN, INT64_MAX, &x) == GW_OK)
		out = x;
	pthread_rwlock_unlock(&lock);
	return out;
}

double
option_real(const char *key, double fallback)
{
	const char *v;
	double out = fallback, x;

	pthread_rwlock_rdlock(&lock);
	if ((v = peek(key)) != NULL && parse_real(v, &x) == GW_OK)
		out = x;
	pthread_rwlock_unlock(&lock);
	return out;
}

int
option_ratio(const char *map_key, const char *name, double *out)
{
	struct oent *e;
	json_t *v;
	int rc = GW_ENOTFOUND;

	pthread_rwlock_rdlock(&lock);
	e = omap_find(&live, map_key);
	if (e && e->parsed && (v = json_object_get(e->parsed, name)) != NULL) {
		*out = json_number_value(v);
		rc = GW_OK;
	}
	pthread_rwlock_unlock(&lock);
	return rc;
}

json_t *
option_group_names(void)
{
	json_t *arr = json_array(), *v;
	struct oent *e;
	const char *k;

	if (arr == NULL)
		return NULL;
	pthread_rwlock_rdlock(&lock);
	e = omap_find(&live, "GroupRatio");
	if (e && e->parsed) {
		json_object_foreach(e->parsed, k, v) {
			if (json_array_append_new(arr, json_string(k)) != 0) {
				json_decref(arr);
				arr = NULL;
				break;
			}
		}
	}
	pthread_rwlock_unlock(&lock);
	return arr;
}

/* Does key end with suffix? */
static int
ends_with(const char *key, const char *suffix)
{
	size_t n = strlen(key), m = strlen(suffix);

	return n >= m && strcmp(key + n - m, suffix) == 0;
}

json_t *
options_list_json(void)
{
	json_t *arr = json_array(), *o;
	size_t i;

	if (arr == NULL)
		return NULL;
	pthread_rwlock_rdlock(&lock);
	for (i = 0; i < live.n; i++) {
		if (ends_with(live.v[i].key, "Token") || ends_with(live.v[i].key, "Secret"))
			continue;
		o = json_pack("{s:s, s:s}", "key", live.v[i].key, "value", live.v[i].value);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	pthread_rwlock_unlock(&lock);
	return arr;
}

/* Is the named option currently empty (or unset)? */
static int
is_empty(const char *key)
{
	const char *v;
	int empty;

	pthread_rwlock_rdlock(&lock);
	v = peek(key);
	empty = v == NULL || *v == '\0';
	pthread_rwlock_unlock(&lock);
	return empty;
}

int
option_check(const char *key, const char *value, const char **why)
{
	int64_t i;
	double d;
	json_t *j;

	if (key == NULL || *key == '\0') {
		*why = "无效的参数: key is required";
		return GW_EINPUT;
	}
	if (strlen(key) > 191) {
		*why = "无效的参数: key is longer than 191 bytes";
		return GW_EINPUT;
	}
	switch (type_of(key)) {
	case OT_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			*why = "无效的参数: value must be \"true\" or \"false\"";
			return GW_EINPUT;
		}
		break;
	case OT_INT:
		if (parse_i64(value, INT64_MIN, INT64_MAX, &i) != GW_OK) {
			*why = "无效的参数: value must be an integer";
			return GW_EINPUT;
		}
		break;
	case OT_REAL:
		if (parse_real(value, &d) != GW_OK) {
			*why = "无效的参数: value must be a number";
			return GW_EINPUT;
		}
		break;
	case OT_RATIO:
		if ((j = parse_ratio(value)) == NULL) {
			*why = "无效的参数: value must be a JSON object mapping names to numbers";
			return GW_EINPUT;
		}
		json_decref(j);
		break;
	case OT_STR:
		break;
	}
	/* One API's controller/option.go UpdateOption checks, same messages */
	if (strcmp(key, "Theme") == 0 && strcmp(value, "default") != 0 &&
	    strcmp(value, "berry") != 0 && strcmp(value, "air") != 0) {
		*why = "无效的主题";
		return GW_EINPUT;
	}
	if (strcmp(value, "true") == 0) {
		if (strcmp(key, "GitHubOAuthEnabled") == 0 && is_empty("GitHubClientId")) {
			*why = "无法启用 GitHub OAuth，请先填入 GitHub Client Id 以及 GitHub Client Secret！";
			return GW_EINPUT;
		}
		if (strcmp(key, "EmailDomainRestrictionEnabled") == 0 && is_empty("EmailDomainWhitelist")) {
			*why = "无法启用邮箱域名限制，请先填入限制的邮箱域名！";
			return GW_EINPUT;
		}
		if (strcmp(key, "WeChatAuthEnabled") == 0 && is_empty("WeChatServerAddress")) {
			*why = "无法启用微信登录，请先填入微信登录相关配置信息！";
			return GW_EINPUT;
		}
		if (strcmp(key, "TurnstileCheckEnabled") == 0 && is_empty("TurnstileSiteKey")) {
			*why = "无法启用 Turnstile 校验，请先填入 Turnstile 校验相关配置信息！";
			return GW_EINPUT;
		}
	}
	return GW_OK;
}

int
option_set(struct db *db, const char *key, const char *value, const char **why)
{
	json_t *parsed = NULL;
	int rc;

	*why = NULL;
	if (value == NULL)
		value = "";
	if ((rc = option_check(key, value, why)) != GW_OK)
		return rc;
	if ((rc = db_upsert(db, "options", "`key`, value", "`key`", "value",
	    DB_ARGS(DB_S(key), DB_S(value)))) != GW_OK) {
		*why = "保存设置失败 (database error)";
		return rc;
	}
	if (type_of(key) == OT_RATIO)
		parsed = parse_ratio(value);
	pthread_rwlock_wrlock(&lock);
	rc = omap_put(&live, key, value, parsed);
	pthread_rwlock_unlock(&lock);
	return rc;
}
