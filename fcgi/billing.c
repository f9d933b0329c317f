/* fcgi/billing.c: stub until billing lands */
#include "billing.h"
void billing_price(const char *model, int channel_type, const char *group, struct price *p) { p->model_ratio = 30; p->completion_ratio = 1; p->group_ratio = 1; p->cached_ratio = 0; }
int64_t billing_quota(const struct price *p, const struct usage *u) { return 0; }
int64_t billing_pre_amount(const struct price *p, int64_t prompt_tokens, int64_t max_tokens) { return 0; }
int64_t billing_estimate_tokens(const char *text, size_t len) { return (int64_t)len / 3; }
int billing_preconsume(struct db *db, const struct relay_token *t, int64_t amount, const char **why) { return GW_OK; }
int billing_refund(struct db *db, const struct relay_token *t, int64_t amount) { return GW_OK; }
int billing_settle(struct db *db, const struct settle *s, int64_t *quota_out) { return GW_OK; }
