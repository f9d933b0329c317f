/* fcgi/password.c: bcrypt through libxcrypt, interchangeable with Go's golang.org/x/crypto/bcrypt */
#include <stdlib.h>
#include <string.h>
#include <crypt.h>
#include "password.h"
#include "util.h"

#define BCRYPT_COST	10	/* Go bcrypt.DefaultCost, what One API stores */
#define BCRYPT_MAX_PW	72	/* bcrypt reads at most 72 bytes */

/* crypt_rn over a heap crypt_data (it is tens of KiB: too big for small
 * thread stacks). Copies the result into out; GW_OK, or GW_EINPUT when
 * libxcrypt refuses the setting, GW_ENOMEM. */
static int
run_crypt(const char *pw, const char *setting, char *out, size_t outsz)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *res;
	size_t n;
	int rc = GW_EINPUT;

	if (cd == NULL)
		return GW_ENOMEM;
	res = crypt_rn(pw, setting, cd, (int)sizeof(*cd));
	/* failures are NULL or a string starting with '*' */
	if (res != NULL && res[0] == '$' && (n = strlen(res)) < outsz) {
		memcpy(out, res, n + 1);
		rc = GW_OK;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* Go's GenerateFromPassword refuses passwords over 72 bytes; so do we. The
 * salt comes from libxcrypt's own OS entropy (rbytes NULL). The prefix is
 * "$2a$" because that is what Go writes and older readers expect. */
int
password_hash(const char *pw, char *out, size_t outsz)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (pw == NULL || strlen(pw) > BCRYPT_MAX_PW || outsz == 0)
		return GW_EINPUT;
	if (crypt_gensalt_rn("$2a$", BCRYPT_COST, NULL, 0, setting, (int)sizeof(setting)) == NULL)
		return GW_EINPUT;
	return run_crypt(pw, setting, out, outsz);
}

/* Recompute with the stored hash as the setting and compare the full
 * strings in constant time. Anything that is not a bcrypt hash fails, so a
 * plain-text or empty password column never matches. */
int
password_verify(const char *pw, const char *hash)
{
	char got[PASSWORD_HASH_MAX];
	size_t n;
	int ok;

	if (pw == NULL || hash == NULL || strlen(pw) > BCRYPT_MAX_PW)
		return 0;
	if (strncmp(hash, "$2a$", 4) != 0 && strncmp(hash, "$2b$", 4) != 0 &&
	    strncmp(hash, "$2y$", 4) != 0)
		return 0;
	n = strlen(hash);
	if (n >= sizeof(got) || run_crypt(pw, hash, got, sizeof(got)) != GW_OK)
		return 0;
	ok = strlen(got) == n && ct_equal(got, hash, n);
	explicit_bzero(got, sizeof(got));
	return ok;
}
