/* providers/channel_types.c: the channel type table (ONEAPI_SPEC.md 1.7;
 * ids 0-51 as in One API, 52-57 as in its maintained fork) */
#include <stddef.h>
#include "channel_types.h"

static const struct channel_type types[CHANNEL_TYPE_MAX] = {
	{ 0, "Unknown", "", API_OPENAI },
	{ 1, "OpenAI", "https://api.openai.com", API_OPENAI },
	{ 2, "API2D", "https://oa.api2d.net", API_OPENAI },
	{ 3, "Azure", "", API_AZURE },
	{ 4, "CloseAI", "https://api.closeai-proxy.xyz", API_OPENAI },
	{ 5, "OpenAISB", "https://api.openai-sb.com", API_OPENAI },
	{ 6, "OpenAIMax", "https://api.openaimax.com", API_OPENAI },
	{ 7, "OhMyGPT", "https://api.ohmygpt.com", API_OPENAI },
	{ 8, "Custom", "", API_OPENAI },
	{ 9, "Ails", "https://api.caipacity.com", API_OPENAI },
	{ 10, "AIProxy", "https://api.aiproxy.io", API_OPENAI },
	{ 11, "PaLM", "https://generativelanguage.googleapis.com", API_OTHER },
	{ 12, "API2GPT", "https://api.api2gpt.com", API_OPENAI },
	{ 13, "AIGC2D", "https://api.aigc2d.com", API_OPENAI },
	{ 14, "Anthropic", "https://api.anthropic.com", API_ANTHROPIC },
	{ 15, "Baidu", "https://aip.baidubce.com", API_OTHER },
	{ 16, "Zhipu", "https://open.bigmodel.cn", API_OTHER },
	{ 17, "Ali", "https://dashscope.aliyuncs.com", API_OTHER },
	{ 18, "Xunfei", "", API_OTHER },
	{ 19, "AI360", "https://ai.360.cn", API_OPENAI },
	{ 20, "OpenRouter", "https://openrouter.ai/api", API_OPENAI },
	{ 21, "AIProxyLibrary", "https://api.aiproxy.io", API_OTHER },
	{ 22, "FastGPT", "https://fastgpt.run/api/openapi", API_OPENAI },
	{ 23, "Tencent", "https://hunyuan.tencentcloudapi.com", API_OTHER },
	{ 24, "Gemini", "https://generativelanguage.googleapis.com", API_GEMINI },
	{ 25, "Moonshot", "https://api.moonshot.cn", API_OPENAI },
	{ 26, "Baichuan", "https://api.baichuan-ai.com", API_OPENAI },
	{ 27, "Minimax", "https://api.minimax.chat", API_OPENAI },
	{ 28, "Mistral", "https://api.mistral.ai", API_OPENAI },
	{ 29, "Groq", "https://api.groq.com/openai", API_OPENAI },
	{ 30, "Ollama", "http://localhost:11434", API_OPENAI },
	{ 31, "LingYiWanWu", "https://api.lingyiwanwu.com", API_OPENAI },
	{ 32, "StepFun", "https://api.stepfun.com", API_OPENAI },
	{ 33, "AwsClaude", "", API_OTHER },
	{ 34, "Coze", "https://api.coze.com", API_OTHER },
	{ 35, "Cohere", "https://api.cohere.ai", API_OTHER },
	{ 36, "DeepSeek", "https://api.deepseek.com", API_OPENAI },
	{ 37, "Cloudflare", "https://api.cloudflare.com", API_OTHER },
	{ 38, "DeepL", "https://api-free.deepl.com", API_OTHER },
	{ 39, "TogetherAI", "https://api.together.xyz", API_OPENAI },
	{ 40, "Doubao", "https://ark.cn-beijing.volces.com", API_OPENAI },
	{ 41, "Novita", "https://api.novita.ai/v3/openai", API_OPENAI },
	{ 42, "VertextAI", "", API_OTHER },
	{ 43, "Proxy", "", API_OTHER },
	{ 44, "SiliconFlow", "https://api.siliconflow.cn", API_OPENAI },
	{ 45, "XAI", "https://api.x.ai", API_OPENAI },
	{ 46, "Replicate", "https://api.replicate.com/v1/models/", API_OTHER },
	{ 47, "BaiduV2", "https://qianfan.baidubce.com", API_OPENAI },
	{ 48, "XunfeiV2", "https://spark-api-open.xf-yun.com", API_OPENAI },
	{ 49, "AliBailian", "https://dashscope.aliyuncs.com", API_OPENAI },
	{ 50, "OpenAICompatible", "", API_OPENAI },
	{ 51, "GeminiOpenAICompatible", "https://generativelanguage.googleapis.com/v1beta/openai/", API_OPENAI },
	{ 52, "ClaudeCompatible", "", API_ANTHROPIC },
	{ 53, "Copilot", "https://api.githubcopilot.com", API_OPENAI },
	{ 54, "Fireworks", "https://api.fireworks.ai/inference", API_OPENAI },
	{ 55, "NVIDIA", "https://integrate.api.nvidia.com/v1", API_OPENAI },
	{ 56, "Cerebras", "https://api.cerebras.ai/v1", API_OPENAI },
	{ 57, "DeepInfra", "https://api.deepinfra.com", API_OPENAI },
};

const struct channel_type *
channel_type(int id)
{
	if (id < 0 || id >= CHANNEL_TYPE_MAX)
		return NULL;
	return &types[id];
}
