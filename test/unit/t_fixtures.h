/* test/unit/t_fixtures.h: loading recorded provider traffic in Check tests */
#ifndef T_FIXTURES_H
#define T_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <jansson.h>

#ifndef FIXTURES
#define FIXTURES "test/fixtures/recorded"
#endif

/* A whole fixture file, NUL-terminated, malloc'd; its length in *n. */
static inline char *
slurp(const char *name, size_t *n)
{
	char path[512];
	FILE *f;
	char *p;
	long sz;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	p[sz] = '\0';
	*n = (size_t)sz;
	return p;
}

/* A fixture file parsed as JSON (new reference). */
static inline json_t *
load_json(const char *name)
{
	char path[512];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
	j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

/* The member at a path like "input.3.call_id" (numbers index arrays), or
 * NULL; borrowed. */
static inline json_t *
jpath(json_t *j, const char *path)
{
	char key[128];
	const char *p = path, *dot;
	size_t n;

	while (j != NULL && *p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		ck_assert_uint_lt(n, sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		j = json_is_array(j) ? json_array_get(j, strtoul(key, NULL, 10)) : json_object_get(j, key);
		p = dot ? dot + 1 : p + n;
	}
	return j;
}

static inline const char *
jpath_str(json_t *j, const char *path)
{
	return json_string_value(jpath(j, path));
}

#endif
