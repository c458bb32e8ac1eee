/* config.c - see config.h. INI files are parsed by inih. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

static const struct tl_option *config_find(const struct tl_option *opts, const char *section,
                                           const char *name)
{
	for (const struct tl_option *o = opts; o->name; o++)
		if ((!section || (o->section && strcmp(o->section, section) == 0)) &&
		    strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static int config_parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return (*out = 1), 0;
		if (strcmp(v, no[i]) == 0)
			return (*out = 0), 0;
	}
	return -1;
}

int tl_option_set(const struct tl_option *o, const char *value, char *err, size_t errlen)
{
	char *end;
	long v;

	switch (o->type) {
	case TL_OPT_STR:
		if (strlen(value) >= o->size) {
			snprintf(err, errlen, "%s: value too long (at most %zu bytes)", o->name,
			         o->size - 1);
			return -1;
		}
		memcpy(o->target, value, strlen(value) + 1);
		return 0;
	case TL_OPT_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < o->min || v > o->max) {
			snprintf(err, errlen, "%s: '%s' is not a whole number from %ld to %ld",
			         o->name, value, o->min, o->max);
			return -1;
		}
		*(long *)o->target = v;
		return 0;
	case TL_OPT_BOOL:
		if (config_parse_bool(value, (int *)o->target)) {
			snprintf(err, errlen, "%s: '%s' is not true or false", o->name, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

struct config_ctx {
	const struct tl_option *opts;
	char *err;
	size_t errlen;
	int failed;
};

/* inih handler: every key must be known, and in the right section. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;
	const struct tl_option *o;
	char why[256];

	if (c->failed)
		return 0;
	o = config_find(c->opts, section, name);
	if (!o) {
		snprintf(c->err, c->errlen, "unknown setting [%s] %s", section, name);
		c->failed = 1;
		return 0;
	}
	if (tl_option_set(o, value, why, sizeof why)) {
		snprintf(c->err, c->errlen, "[%s] %s", section, why);
		c->failed = 1;
		return 0;
	}
	return 1;
}

int tl_config_load(const struct tl_option *opts, const char *path, char *err, size_t errlen)
{
	struct config_ctx c = { opts, NULL, 0, 0 };
	char why[300] = "";
	int rc;

	c.err = why;
	c.errlen = sizeof why;
	rc = ini_parse(path, config_handler, &c);
	if (rc == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: %s", path, rc, why[0] ? why : "syntax error");
		return -1;
	}
	return 0;
}

int tl_config_load_string(const struct tl_option *opts, const char *text, char *err,
                          size_t errlen)
{
	struct config_ctx c = { opts, NULL, 0, 0 };
	char why[300] = "";
	int rc;

	c.err = why;
	c.errlen = sizeof why;
	rc = ini_parse_string(text, config_handler, &c);
	if (rc != 0) {
		snprintf(err, errlen, "line %d: %s", rc, why[0] ? why : "syntax error");
		return -1;
	}
	return 0;
}

/* Splits "--name=value" or "--name value"; returns the value or NULL. */
static const char *config_flag_value(const struct tl_option *o, const char *eq, int argc,
                                     char **argv, int *i)
{
	if (eq)
		return eq + 1;
	if (o->type == TL_OPT_BOOL)
		return "true";
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* Applies the flag at argv[*i] (advancing *i past its value). */
static enum tl_parse_result config_apply_flag(const struct tl_option *opts, int argc, char **argv,
                                              int *i, char *err, size_t errlen)
{
	char name[64];
	const char *arg = argv[*i], *eq, *value;
	const struct tl_option *o;
	size_t n;

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
		return TL_PARSE_HELP;
	if (strcmp(arg, "--version") == 0)
		return TL_PARSE_VERSION;
	eq = strchr(arg, '=');
	n = eq ? (size_t)(eq - arg) : strlen(arg);
	if (strncmp(arg, "--", 2) != 0 || n - 2 >= sizeof name) {
		snprintf(err, errlen, "unknown option '%s' (see --help)", arg);
		return TL_PARSE_ERROR;
	}
	memcpy(name, arg + 2, n - 2);
	name[n - 2] = '\0';
	o = config_find(opts, NULL, name);
	if (!o) {
		snprintf(err, errlen, "unknown option '--%s' (see --help)", name);
		return TL_PARSE_ERROR;
	}
	value = config_flag_value(o, eq, argc, argv, i);
	if (!value) {
		snprintf(err, errlen, "--%s needs a value", name);
		return TL_PARSE_ERROR;
	}
	return tl_option_set(o, value, err, errlen) ? TL_PARSE_ERROR : TL_PARSE_OK;
}

static int config_is_config_flag(const char *arg)
{
	return strcmp(arg, "--config") == 0 || strcmp(arg, "-c") == 0;
}

enum tl_parse_result tl_options_parse(const struct tl_option *opts, int argc, char **argv,
                                      int *first_arg, char *err, size_t errlen)
{
	int i;

	/* The file first, wherever --config stands, so flags override it. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0 && argv[i][0] == '-'; i++) {
		const char *path = NULL;
		if (config_is_config_flag(argv[i])) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--config needs a file");
				return TL_PARSE_ERROR;
			}
			path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		} else if (strncmp(argv[i], "--", 2) == 0 && !strchr(argv[i], '=')) {
			const struct tl_option *o = config_find(opts, NULL, argv[i] + 2);
			if (o && o->type != TL_OPT_BOOL)
				i++; /* skip the flag's value */
		}
		if (path && tl_config_load(opts, path, err, errlen))
			return TL_PARSE_ERROR;
	}
	for (i = 1; i < argc; i++) {
		enum tl_parse_result r;
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		if (config_is_config_flag(argv[i])) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			continue;
		if ((r = config_apply_flag(opts, argc, argv, &i, err, errlen)) != TL_PARSE_OK)
			return r;
	}
	*first_arg = i;
	return TL_PARSE_OK;
}

enum tl_parse_result tl_args_parse(const struct tl_option *opts, int argc, char **argv,
                                   char **pos, int maxpos, int *npos, char *err, size_t errlen)
{
	int only_pos = 0;

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		enum tl_parse_result r;
		if (!only_pos && strcmp(argv[i], "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (only_pos || argv[i][0] != '-' || argv[i][1] == '\0') {
			if (*npos == maxpos) {
				snprintf(err, errlen, "unexpected argument '%s'", argv[i]);
				return TL_PARSE_ERROR;
			}
			pos[(*npos)++] = argv[i];
			continue;
		}
		if ((r = config_apply_flag(opts, argc, argv, &i, err, errlen)) != TL_PARSE_OK)
			return r;
	}
	return TL_PARSE_OK;
}

void tl_options_usage(FILE *out, const struct tl_option *opts)
{
	for (const struct tl_option *o = opts; o->name; o++) {
		char flag[64], def[300];
		snprintf(flag, sizeof flag, "--%s%s%s", o->name, o->metavar ? " " : "",
		         o->metavar ? o->metavar : "");
		if (o->type == TL_OPT_STR)
			snprintf(def, sizeof def, "%s", (const char *)o->target);
		else if (o->type == TL_OPT_INT)
			snprintf(def, sizeof def, "%ld", *(long *)o->target);
		else
			snprintf(def, sizeof def, "%s", *(int *)o->target ? "true" : "false");
		fprintf(out, "  %-28s %s%s%s%s\n", flag, o->help, def[0] ? " (default: " : "", def,
		        def[0] ? ")" : "");
	}
}

void tl_options_usage_program(FILE *out, const struct tl_option *opts)
{
	fprintf(out, "  %-28s %s\n", "-c, --config FILE", "read settings from an INI file");
	tl_options_usage(out, opts);
	fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
	fprintf(out, "  %-28s %s\n", "--version", "show the version");
}
