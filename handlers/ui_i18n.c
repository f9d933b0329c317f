/* handlers/ui_i18n.c: the admin pages' texts in English and Chinese (One
 * API's Chinese wording where it has one), and the choice of language */
#include <string.h>
#include "ui.h"

struct msg {
	const char *key;
	const char *text[UI_LANG__MAX];	/* en, zh */
};

/* Keys: nav_* menu and titles, flash_* messages a redirect may name with
 * ?msg=, err_* form errors; the rest are labels. */
static const struct msg msgs[] = {
	{ "skip", { "Skip to content", "跳到正文" } },
	{ "menu", { "Menu", "菜单" } },
	{ "logout", { "Log out", "退出" } },
	{ "request", { "request", "请求" } },
	{ "request_id", { "Request id", "请求 ID" } },
	{ "back_home", { "Back to the dashboard", "返回首页" } },
	{ "nav_dashboard", { "Dashboard", "数据看板" } },
	{ "nav_channels", { "Channels", "渠道" } },
	{ "nav_tokens", { "Tokens", "令牌" } },
	{ "nav_logs", { "Logs", "日志" } },
	{ "nav_users", { "Users", "用户" } },
	{ "nav_settings", { "Settings", "设置" } },
	{ "nav_profile", { "Profile", "个人设置" } },
	{ "nav_about", { "About", "关于" } },
	{ "pages", { "Pages", "分页" } },
	{ "page", { "page", "第" } },
	{ "previous", { "Previous", "上一页" } },
	{ "next", { "Next", "下一页" } },
	{ "sign_in", { "Sign in", "登录" } },
	{ "username", { "Username", "用户名" } },
	{ "password", { "Password", "密码" } },
	{ "password_hint", { "8 to 20 characters", "8 到 20 个字符" } },
	{ "password_keep_hint", { "empty keeps the password", "留空则不修改" } },
	{ "display_name", { "Display name", "显示名称" } },
	{ "role", { "Role", "角色" } },
	{ "group", { "Group", "分组" } },
	{ "status", { "Status", "状态" } },
	{ "name", { "Name", "名称" } },
	{ "type", { "Type", "类型" } },
	{ "models", { "Models", "模型" } },
	{ "model", { "Model", "模型" } },
	{ "priority", { "Priority", "优先级" } },
	{ "weight", { "Weight", "权重" } },
	{ "quota", { "Quota", "额度" } },
	{ "used_quota", { "Used quota", "已用额度" } },
	{ "remaining_quota", { "Remaining quota", "剩余额度" } },
	{ "requests", { "Requests", "请求次数" } },
	{ "response_time", { "Response time", "响应时间" } },
	{ "actions", { "Actions", "操作" } },
	{ "edit", { "Edit", "编辑" } },
	{ "enable", { "Enable", "启用" } },
	{ "disable", { "Disable", "禁用" } },
	{ "delete", { "Delete", "删除" } },
	{ "save", { "Save", "保存" } },
	{ "cancel", { "Cancel", "取消" } },
	{ "create", { "Create", "创建" } },
	{ "add", { "Add", "添加" } },
	{ "search", { "Search", "搜索" } },
	{ "filter", { "Filter", "查询" } },
	{ "sort", { "Sort by", "排序" } },
	{ "show", { "show", "查看" } },
	{ "copy", { "Copy", "复制" } },
	{ "copied", { "Copied", "已复制" } },
	{ "common", { "Common", "常用" } },
	{ "other", { "Other", "其他" } },
	{ "total", { "Total", "总计" } },
	{ "rows", { "rows", "条" } },
	{ "notice", { "Notice", "公告" } },
	{ "account", { "Account", "账户" } },
	{ "use_api", { "Use the API", "使用 API" } },
	{ "use_api_text", { "Create a key on the Tokens page, then point any OpenAI-compatible client at",
	    "在令牌页面创建令牌，然后将 OpenAI 兼容的客户端指向" } },
	{ "usage_days", { "Usage by day", "每日用量" } },
	{ "range", { "Range in days", "天数" } },
	{ "tokens_word", { "tokens", "tokens" } },
	{ "recent_requests", { "Recent requests", "最近请求" } },
	{ "all_logs", { "All logs", "全部日志" } },
	{ "danger_zone", { "Danger zone", "危险操作" } },
	/* channels */
	{ "search_channel_hint", { "ID or name", "ID 或名称" } },
	{ "no_channels", { "No channels yet. Add one below.", "暂无渠道，请在下方添加。" } },
	{ "add_channels", { "Add channels", "添加渠道" } },
	{ "edit_channel", { "Edit channel", "编辑渠道" } },
	{ "keys", { "Keys", "密钥" } },
	{ "keys_hint", { "one upstream key per line; each line becomes a channel",
	    "一行一个密钥，每行创建一个渠道" } },
	{ "keys_edit_hint", { "empty keeps the current key (never shown)", "留空则保留当前密钥（不会显示）" } },
	{ "base_url", { "Base URL", "代理地址" } },
	{ "base_url_hint", { "empty for the type's default", "留空使用默认地址" } },
	{ "api_version", { "API version", "API 版本" } },
	{ "api_version_hint", { "Azure: api-version; other types: the type's extra field",
	    "Azure：api-version；其他类型：附加字段" } },
	{ "models_hint", { "comma-separated", "以英文逗号分隔" } },
	{ "known_models", { "Models of other channels", "其他渠道的模型" } },
	{ "model_mapping", { "Model mapping", "模型重定向" } },
	{ "model_mapping_hint", { "JSON object: requested model -> upstream model",
	    "JSON 对象：请求的模型 -> 实际的模型" } },
	{ "system_prompt", { "System prompt", "系统提示词" } },
	{ "system_prompt_hint", { "forced on every request of this channel", "此渠道的每个请求都会使用" } },
	{ "config", { "Config", "配置" } },
	{ "config_hint", { "JSON object, e.g. {\"region\": \"us-east-1\"}", "JSON 对象，例如 {\"region\": \"us-east-1\"}" } },
	{ "confirm_delete_channel", { "Delete this channel?", "确定删除此渠道？" } },
	{ "confirm_delete_disabled", { "Delete every disabled channel?", "确定删除所有已禁用渠道？" } },
	{ "delete_disabled", { "Delete all disabled channels", "删除禁用渠道" } },
	{ "any_status", { "Any status", "全部状态" } },
	{ "any_type", { "Any type", "全部类型" } },
	{ "order_quota", { "Quota", "剩余额度" } },
	{ "order_requests", { "Requests", "请求次数" } },
	{ "order_id", { "ID (newest first)", "ID（最新在前）" } },
	{ "order_priority", { "Priority", "优先级" } },
	{ "order_name", { "Name", "名称" } },
	{ "order_used", { "Used quota", "已用额度" } },
	{ "order_response", { "Response time", "响应时间" } },
	{ "st_enabled", { "enabled", "已启用" } },
	{ "st_disabled", { "disabled", "已禁用" } },
	{ "st_auto_disabled", { "auto-disabled", "已被自动禁用" } },
	{ "st_expired", { "expired", "已过期" } },
	{ "st_exhausted", { "exhausted", "已耗尽" } },
	{ "st_deleted", { "deleted", "已注销" } },
	{ "st_unknown", { "unknown", "未知" } },
	/* tokens */
	{ "search_token_hint", { "name or key", "名称或密钥" } },
	{ "no_tokens", { "No API keys yet. Create one below.", "暂无令牌，请在下方创建。" } },
	{ "create_token", { "Create a key", "创建令牌" } },
	{ "edit_token", { "Edit key", "编辑令牌" } },
	{ "key", { "Key", "密钥" } },
	{ "expires", { "Expires", "过期时间" } },
	{ "expires_hint", { "UTC; empty = never", "UTC；留空为永不过期" } },
	{ "created", { "Created", "创建时间" } },
	{ "never", { "never", "永不过期" } },
	{ "unlimited", { "unlimited", "无限" } },
	{ "quota_hint", { "quota units", "额度点数" } },
	{ "unlimited_quota", { "Unlimited quota", "无限额度" } },
	{ "allowed_models", { "Allowed models", "可用模型" } },
	{ "allowed_models_hint", { "comma-separated; empty = all", "以英文逗号分隔；留空为全部" } },
	{ "allowed_subnets", { "Allowed subnets", "IP 限制" } },
	{ "allowed_subnets_hint", { "CIDRs, comma-separated; empty = any address",
	    "CIDR，以英文逗号分隔；留空不限制" } },
	{ "other_formats", { "Other formats", "其他格式" } },
	{ "confirm_delete_token", { "Delete this key? Clients using it will stop working.",
	    "确定删除此令牌？使用它的客户端将无法访问。" } },
	/* users */
	{ "search_user_hint", { "ID, username, display name or email", "ID、用户名、显示名称或邮箱" } },
	{ "no_users", { "No users.", "暂无用户。" } },
	{ "create_user", { "Create a user", "创建用户" } },
	{ "edit_user", { "Edit user", "编辑用户" } },
	{ "promote", { "Make admin", "提升为管理员" } },
	{ "demote", { "Make common user", "降级为普通用户" } },
	{ "delete_user", { "Delete user", "注销用户" } },
	{ "confirm_delete_user", { "Delete this user?", "确定注销此用户？" } },
	{ "role_root", { "root", "超级管理员" } },
	{ "role_admin", { "admin", "管理员" } },
	{ "role_common", { "common", "普通用户" } },
	{ "role_guest", { "guest", "访客" } },
	/* logs */
	{ "from", { "From", "起始日期" } },
	{ "to", { "To", "结束日期" } },
	{ "token_name", { "Token", "令牌名称" } },
	{ "channel", { "Channel", "渠道" } },
	{ "time", { "Time", "时间" } },
	{ "prompt", { "Prompt", "提示" } },
	{ "completion", { "Completion", "补全" } },
	{ "detail", { "Detail", "详情" } },
	{ "consumed", { "Quota used", "消耗额度" } },
	{ "no_logs", { "No logs match.", "暂无日志。" } },
	{ "log_all", { "All types", "全部" } },
	{ "log_1", { "Top-up", "充值" } },
	{ "log_2", { "Consume", "消费" } },
	{ "log_3", { "Manage", "管理" } },
	{ "log_4", { "System", "系统" } },
	{ "log_5", { "Test", "测试" } },
	{ "log_0", { "Unknown", "未知" } },
	/* profile */
	{ "change_password", { "Change password", "修改密码" } },
	{ "current_password", { "Current password", "当前密码" } },
	{ "new_password", { "New password", "新密码" } },
	{ "repeat_password", { "Repeat the new password", "确认新密码" } },
	{ "access_token", { "Access token", "系统访问令牌" } },
	{ "access_token_hint", { "For the management API (Authorization header); generating a new one replaces the old.",
	    "用于管理 API（Authorization 头）；重新生成会使旧令牌失效。" } },
	{ "generate_access_token", { "Generate a new access token", "生成系统访问令牌" } },
	{ "invitation_link", { "Invitation link", "邀请链接" } },
	{ "invitation_rewards", { "Each new user who signs up with it gets", "每位通过此链接注册的新用户获得" } },
	{ "you_get", { "and you get", "你获得" } },
	{ "type_username_to_confirm", { "Type your username to confirm", "输入你的用户名以确认" } },
	{ "delete_account", { "Delete my account", "删除个人账户" } },
	{ "confirm_delete_self", { "Delete your account? This cannot be undone.", "确定删除账户？此操作不可撤销。" } },
	/* settings */
	{ "set_general", { "General", "通用设置" } },
	{ "set_content", { "Content", "内容设置" } },
	{ "set_login", { "Sign-in and registration", "登录注册" } },
	{ "set_quota", { "Quota", "额度设置" } },
	{ "set_ratio", { "Ratios", "倍率设置" } },
	{ "set_monitor", { "Monitoring", "监控设置" } },
	{ "set_smtp", { "SMTP", "SMTP 设置" } },
	{ "about_default", { "One API, rebuilt in C as a FastCGI application. Set the About text in Settings.",
	    "One API 的 C 语言 FastCGI 实现。可在设置中修改关于内容。" } },
	/* redemption codes and top-up */
	{ "nav_redemptions", { "Redemption codes", "兑换码" } },
	{ "nav_topup", { "Top up", "充值" } },
	{ "new_codes", { "New codes", "新生成的兑换码" } },
	{ "search_redemption_hint", { "ID or name", "ID 或名称" } },
	{ "export_csv", { "Export CSV", "导出 CSV" } },
	{ "redeemed", { "Redeemed", "兑换时间" } },
	{ "code", { "Code", "兑换码" } },
	{ "count", { "Count", "生成数量" } },
	{ "no_codes", { "No redemption codes.", "暂无兑换码。" } },
	{ "create_codes", { "Create codes", "添加兑换码" } },
	{ "confirm_delete_code", { "Delete this code?", "确定删除此兑换码？" } },
	{ "st_used", { "used", "已使用" } },
	{ "redeem_code", { "Redeem a code", "兑换码充值" } },
	{ "redeem", { "Redeem", "兑换" } },
	{ "buy_codes", { "Buy codes", "获取兑换码" } },
	{ "flash_code_enabled", { "Code enabled.", "兑换码已启用。" } },
	{ "flash_code_disabled", { "Code disabled.", "兑换码已禁用。" } },
	{ "flash_code_deleted", { "Code deleted.", "兑换码已删除。" } },
	{ "flash_redeemed", { "Code redeemed: your quota grew.", "兑换成功，额度已增加。" } },
	{ "err_code_name", { "The name must be 1 to 20 characters.", "兑换码名称长度必须在1-20之间" } },
	{ "err_code_count", { "Make 1 to 100 codes at a time.", "一次兑换码批量生成的个数应在 1 到 100 之间" } },
	{ "err_code_empty", { "Enter a code.", "未提供兑换码" } },
	{ "err_code_invalid", { "That code does not exist.", "无效的兑换码" } },
	{ "err_code_used", { "That code was used or disabled.", "该兑换码已被使用" } },
	{ "test", { "Test", "测试" } },
	{ "balance", { "Balance", "余额" } },
	{ "update_balance", { "Balance", "更新余额" } },
	{ "flash_balance_ok", { "Balance updated.", "余额已更新。" } },
	{ "flash_balance_failed", { "The balance could not be read from this channel.", "余额查询失败。" } },
	{ "register", { "Sign up", "注册" } },
	{ "reset_password", { "Reset the password", "重置密码" } },
	{ "forgot_password", { "Forgot the password?", "忘记密码？" } },
	{ "email", { "Email", "邮箱地址" } },
	{ "send_link", { "Send me a link", "发送重置邮件" } },
	{ "flash_reset_sent", { "If that address belongs to an account, a link is on its way. It works for 15 minutes.",
	    "如果该邮箱已注册，重置邮件已发出，链接 15 分钟内有效。" } },
	{ "flash_password_reset", { "Password changed: sign in with the new one.", "密码已重置，请使用新密码登录。" } },
	{ "err_no_mail", { "Password reset by email is not set up here (no SMTP server).", "SMTP 服务器未配置" } },
	{ "err_reset_link", { "This link is invalid or has expired: ask for a new one.", "重置链接非法或已过期" } },
	{ "register_closed", { "Sign-up is closed here.", "管理员关闭了新用户注册" } },
	{ "aff_code", { "Invitation code (optional)", "邀请码（可选）" } },
	{ "have_account", { "Already have an account? Sign in", "已有账户？登录" } },
	{ "no_account", { "No account yet? Sign up", "没有账户？注册" } },
	{ "flash_registered", { "Account created: sign in.", "注册成功，请登录。" } },
	{ "nav_models", { "Models", "模型列表" } },
	{ "input_price", { "Input $ / 1M tokens", "输入价格 $/1M tokens" } },
	{ "output_price", { "Output $ / 1M tokens", "输出价格 $/1M tokens" } },
	{ "model_ratio", { "Model ratio", "模型倍率" } },
	{ "no_models", { "No channel serves your group yet.", "你的分组暂无可用模型。" } },
	{ "price_note", { "Prices include your group's ratio. Ratio 1 = $2 per million tokens.",
	    "价格已包含分组倍率。倍率 1 = 每百万 tokens $2。" } },
	{ "flash_channel_test_ok", { "The channel answered the test.", "测试成功。" } },
	{ "flash_channel_test_failed", { "The channel failed the test: see its response time and the logs.", "测试失败。" } },
	/* error pages */
	{ "http_400", { "Bad Request", "请求无效" } },
	{ "http_403", { "Forbidden", "无权访问" } },
	{ "http_404", { "Not Found", "页面不存在" } },
	{ "http_405", { "Method Not Allowed", "方法不允许" } },
	{ "http_500", { "Internal Server Error", "服务器内部错误" } },
	/* flash messages */
	{ "flash_channel_created", { "Channel created.", "渠道已创建。" } },
	{ "flash_channel_saved", { "Channel saved.", "渠道已更新。" } },
	{ "flash_channel_deleted", { "Channel deleted.", "渠道已删除。" } },
	{ "flash_channels_deleted", { "Disabled channels deleted.", "已删除所有禁用渠道。" } },
	{ "flash_channel_enabled", { "Channel enabled.", "渠道已启用。" } },
	{ "flash_channel_disabled", { "Channel disabled.", "渠道已禁用。" } },
	{ "flash_token_created", { "Token created.", "令牌已创建。" } },
	{ "flash_token_saved", { "Token saved.", "令牌已更新。" } },
	{ "flash_token_deleted", { "Token deleted.", "令牌已删除。" } },
	{ "flash_token_enabled", { "Token enabled.", "令牌已启用。" } },
	{ "flash_token_disabled", { "Token disabled.", "令牌已禁用。" } },
	{ "flash_user_created", { "User created.", "用户已创建。" } },
	{ "flash_user_saved", { "User saved.", "用户已更新。" } },
	{ "flash_user_deleted", { "User deleted.", "用户已注销。" } },
	{ "flash_user_enabled", { "User enabled.", "用户已启用。" } },
	{ "flash_user_disabled", { "User disabled.", "用户已禁用。" } },
	{ "flash_user_promoted", { "User is now an admin.", "已提升为管理员。" } },
	{ "flash_user_demoted", { "User is now a common user.", "已降级为普通用户。" } },
	{ "flash_settings_saved", { "Settings saved.", "设置已保存。" } },
	{ "flash_profile_saved", { "Saved.", "已保存。" } },
	{ "flash_password_changed", { "Password changed. Other sessions were signed out.",
	    "密码已修改，其他会话已退出。" } },
	{ "flash_access_token", { "New access token generated.", "已生成新的系统访问令牌。" } },
	/* errors */
	{ "err_login_disabled", { "Password login is disabled by the administrator.", "管理员关闭了密码登录" } },
	{ "err_login_empty", { "Enter a username and a password.", "请输入用户名和密码。" } },
	{ "err_login_wrong", { "Wrong username or password.", "用户名或密码错误，或用户已被封禁" } },
	{ "err_login_disabled_user", { "This account is disabled.", "用户已被封禁" } },
	{ "err_channel_type", { "Choose a channel type.", "请选择渠道类型。" } },
	{ "err_priority", { "Priority must be a whole number.", "优先级必须是整数。" } },
	{ "err_weight", { "Weight must be a whole number of 0 or more.", "权重必须是非负整数。" } },
	{ "err_channel_name", { "Give the channel a name.", "请填写渠道名称。" } },
	{ "err_channel_models", { "List the models of the channel, separated by commas.", "请填写渠道支持的模型，以英文逗号分隔。" } },
	{ "err_channel_key", { "Enter at least one key: one upstream key per line, one channel per key.",
	    "请输入密钥：一行一个，每行创建一个渠道。" } },
	{ "err_model_mapping", { "Model mapping must be a JSON object of model names.", "模型重定向必须是合法的 JSON 对象。" } },
	{ "err_config", { "Config must be a JSON object.", "配置必须是合法的 JSON 对象。" } },
	{ "err_token_name", { "Give the key a name.", "请填写令牌名称。" } },
	{ "err_token_name_long", { "The name is too long: at most 30 bytes.", "令牌名称过长" } },
	{ "err_quota", { "Quota must be a whole number of 0 or more.", "额度必须是非负整数。" } },
	{ "err_expiry", { "Expiry must be a date and time, or empty for never.", "过期时间格式错误。" } },
	{ "err_expiry_past", { "The expiry is in the past: choose a later time, or empty for never.",
	    "过期时间不能早于当前时间" } },
	{ "err_subnet", { "Allowed subnets must be CIDRs separated by commas, e.g. 10.0.0.0/8.",
	    "IP 限制格式错误，应为以逗号分隔的 CIDR。" } },
	{ "err_user_fields", { "Enter a username and a password.", "请输入用户名和密码。" } },
	{ "err_username", { "The username must be 1 to 12 characters.", "用户名长度应为 1 到 12 个字符。" } },
	{ "err_password", { "The password must be 8 to 20 characters.", "密码长度应为 8 到 20 个字符。" } },
	{ "err_display_name", { "The display name must be at most 20 characters.", "显示名称最多 20 个字符。" } },
	{ "err_check_fields", { "Check the fields and try again.", "请检查输入后重试。" } },
	{ "err_username_taken", { "That username is taken.", "用户名已存在" } },
	{ "err_wrong_password", { "The current password is wrong.", "当前密码错误" } },
	{ "err_password_mismatch", { "The two new passwords differ.", "两次输入的密码不一致" } },
	{ "err_confirm_username", { "Type your username exactly to confirm.", "请输入正确的用户名以确认。" } },
	{ "err_root_delete", { "The root user cannot be deleted.", "不能删除超级管理员账户" } },
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

static const struct msg *
find(const char *key)
{
	size_t i;

	for (i = 0; key && i < NMSGS; i++)
		if (strcmp(msgs[i].key, key) == 0)
			return &msgs[i];
	return NULL;
}

const char *
ui_tr_lang(int lang, const char *key)
{
	const struct msg *m = find(key);

	if (lang < 0 || lang >= UI_LANG__MAX)
		lang = UI_EN;
	return m ? m->text[lang] : key;
}

int
ui_tr_has(const char *key)
{
	return find(key) != NULL;
}

json_t *
ui_tr_json(int lang)
{
	json_t *o = json_object();
	size_t i;

	if (lang < 0 || lang >= UI_LANG__MAX)
		lang = UI_EN;
	for (i = 0; o && i < NMSGS; i++)
		json_object_set_new_nocheck(o, msgs[i].key, json_string(msgs[i].text[lang]));
	return o;
}

const char *
ui_lang_code(int lang)
{
	return lang == UI_ZH ? "zh" : "en";
}

int
ui_lang(struct req *r)
{
	const char *c = req_cookie(r, "lang"), *al;

	if (c && strcmp(c, "zh") == 0)
		return UI_ZH;
	if (c && strcmp(c, "en") == 0)
		return UI_EN;
	/* the first tag decides: "zh-CN,zh;q=0.9,en;q=0.8" */
	al = req_header(r, "Accept-Language");
	while (al && (*al == ' ' || *al == '\t'))
		al++;
	if (al && (al[0] == 'z' || al[0] == 'Z') && (al[1] == 'h' || al[1] == 'H') &&
	    (al[2] == '\0' || al[2] == '-' || al[2] == '_' || al[2] == ';' || al[2] == ','))
		return UI_ZH;
	return UI_EN;
}

const char *
ui_tr(struct req *r, const char *key)
{
	return ui_tr_lang(ui_lang(r), key);
}
