/* config.c - see config.h. INI files are parsed by inih. */
#include "config.h"
#include "log.h"

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

/* State of one parse. inih calls the reader once per line and the handler
 * right after, so counting lines in the reader tells the handler where it
 * is; the reader also catches lines longer than inih's buffer, which inih
 * would otherwise split into a confusing second line. */
struct config_ctx {
	const struct tl_option *opts;
	FILE *in;
	int line;       /* lines read so far */
	int fail_line;  /* first line we found fault with, 0 if none */
	char why[300];
};

static char *config_reader(char *str, int num, void *stream)
{
	struct config_ctx *c = stream;
	size_t n;

	if (!fgets(str, num, c->in))
		return NULL;
	c->line++;
	n = strlen(str);
	if (n == (size_t)num - 1 && str[n - 1] != '\n' && !feof(c->in)) {
		int ch;
		if (!c->fail_line) {
			c->fail_line = c->line;
			snprintf(c->why, sizeof c->why, "line too long (at most %d bytes)", num - 2);
		}
		while ((ch = fgetc(c->in)) != EOF && ch != '\n')
			;
		str[0] = '\0';
	}
	return str;
}

/* inih handler: every key must be known, and in the right section. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;
	const struct tl_option *o;
	char why[256];

	if (c->fail_line)
		return 1;
	o = config_find(c->opts, section, name);
	if (!o) {
		snprintf(c->why, sizeof c->why, "unknown setting [%s] %s", section, name);
		c->fail_line = c->line;
		return 1;
	}
	if (tl_option_set(o, value, why, sizeof why)) {
		snprintf(c->why, sizeof c->why, "[%s] %s", section, why);
		c->fail_line = c->line;
	}
	return 1;
}

/* Parses the stream in c; on error writes "WHERE:LINE: why" to err. */
static int config_parse(struct config_ctx *c, const char *where, char *err, size_t errlen)
{
	int rc = ini_parse_stream(config_reader, c, config_handler, c);

	if (rc > 0 && (!c->fail_line || rc < c->fail_line)) {
		snprintf(err, errlen, "%s:%d: syntax error", where, rc);
		return -1;
	}
	if (rc != 0 || c->fail_line) {
		snprintf(err, errlen, "%s:%d: %s", where, c->fail_line, c->why);
		return -1;
	}
	return 0;
}

int tl_config_load(const struct tl_option *opts, const char *path, char *err, size_t errlen)
{
	struct config_ctx c = { .opts = opts };
	int rc;

	c.in = fopen(path, "r");
	if (!c.in) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = config_parse(&c, path, err, errlen);
	fclose(c.in);
	return rc;
}

int tl_config_load_string(const struct tl_option *opts, const char *text, char *err,
                          size_t errlen)
{
	struct config_ctx c = { .opts = opts };
	int rc;

	if (!text[0])
		return 0;
	c.in = fmemopen((void *)text, strlen(text), "r");
	if (!c.in) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = config_parse(&c, "line", err, errlen);
	fclose(c.in);
	return rc;
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
	if (strcmp(arg, "--man") == 0)
		return TL_PARSE_MAN;
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

/* An option's current value as --help and the manual show it as default. */
static void option_default(const struct tl_option *o, char *buf, size_t size)
{
	if (o->type == TL_OPT_STR)
		snprintf(buf, size, "%s", (const char *)o->target);
	else if (o->type == TL_OPT_INT)
		snprintf(buf, size, "%ld", *(long *)o->target);
	else
		snprintf(buf, size, "%s", *(int *)o->target ? "true" : "false");
}

void tl_options_usage(FILE *out, const struct tl_option *opts)
{
	for (const struct tl_option *o = opts; o->name; o++) {
		char flag[64], def[300];
		snprintf(flag, sizeof flag, "--%s%s%s", o->name, o->metavar ? " " : "",
		         o->metavar ? o->metavar : "");
		option_default(o, def, sizeof def);
		fprintf(out, "  %-28s %s%s%s%s\n", flag, o->help, def[0] ? " (default: " : "", def,
		        def[0] ? ")" : "");
	}
}

/* The flags every program has, for --help and the manual alike. */
static const struct {
	const char *flag, *man, *help;
} program_flags_before[] = {
	{ "-c, --config FILE", "\\fB\\-c\\fR, \\fB\\-\\-config\\fR \\fIFILE\\fR",
	  "read settings from an INI file" },
}, program_flags_after[] = {
	{ "-h, --help", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR", "show this help" },
	{ "--version", "\\fB\\-\\-version\\fR", "show the version" },
	{ "--man", "\\fB\\-\\-man\\fR", "print the manual page (roff)" },
};
#define NFLAGS(a) (sizeof(a) / sizeof((a)[0]))

void tl_options_usage_program(FILE *out, const struct tl_option *opts)
{
	for (size_t i = 0; i < NFLAGS(program_flags_before); i++)
		fprintf(out, "  %-28s %s\n", program_flags_before[i].flag,
		        program_flags_before[i].help);
	tl_options_usage(out, opts);
	for (size_t i = 0; i < NFLAGS(program_flags_after); i++)
		fprintf(out, "  %-28s %s\n", program_flags_after[i].flag, program_flags_after[i].help);
}

/* Writes text for roff: a backslash and a hyphen are escaped, and a line
 * that would start with a control character is guarded. len < 0: all. */
static void manual_escape(FILE *out, const char *text, long len, int line_start)
{
	for (long i = 0; text[i] && (len < 0 || i < len); i++) {
		char c = text[i];
		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else
			fputc(c, out);
		line_start = c == '\n';
	}
}

void tl_manual_text(FILE *out, const char *text)
{
	const char *p = text;

	fputs(".PP\n", out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		long n = nl ? (long)(nl - p) : (long)strlen(p);
		if (n == 0) {
			/* A blank line ends a paragraph (runs of them count once). */
			while (*p == '\n')
				p++;
			if (*p)
				fputs(".PP\n", out);
			continue;
		}
		manual_escape(out, p, n, 1);
		fputc('\n', out);
		p += n + (nl ? 1 : 0);
	}
}

void tl_manual_section(FILE *out, const char *title)
{
	fprintf(out, ".SH %s\n", title);
}

void tl_manual_head(FILE *out, const struct tl_program *p)
{
	const char *u = p->usage;

	fputs(".TH ", out);
	for (const char *c = p->name; *c; c++)
		fputc(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c, out);
	fprintf(out, " %d \"\" \"touchline %s\" \"Touchline manual\"\n", p->section,
	        TOUCHLINE_VERSION);
	fputs(".SH NAME\n", out);
	manual_escape(out, p->name, -1, 1);
	fputs(" \\- ", out);
	manual_escape(out, p->summary, -1, 0);
	fputs("\n.SH SYNOPSIS\n", out);
	while (*u) {
		const char *nl = strchr(u, '\n');
		long n = nl ? (long)(nl - u) : (long)strlen(u);
		fputs(".B ", out);
		manual_escape(out, p->name, -1, 0);
		fputc(' ', out);
		manual_escape(out, u, n, 0);
		fputs("\n.br\n", out);
		u += n + (nl ? 1 : 0);
	}
	tl_manual_section(out, "DESCRIPTION");
	tl_manual_text(out, p->about);
}

/* One entry of an option list: the flag line (already roff) and its text. */
static void manual_item(FILE *out, const char *flag_roff, const char *help)
{
	fprintf(out, ".TP\n%s\n", flag_roff);
	manual_escape(out, help, -1, 1);
	fputs(".\n", out);
}

void tl_manual_options(FILE *out, const struct tl_option *opts, int program)
{
	if (program)
		for (size_t i = 0; i < NFLAGS(program_flags_before); i++)
			manual_item(out, program_flags_before[i].man, program_flags_before[i].help);
	for (const struct tl_option *o = opts; o->name; o++) {
		char def[300];
		fputs(".TP\n\\fB\\-\\-", out);
		manual_escape(out, o->name, -1, 0);
		fputs("\\fR", out);
		if (o->metavar) {
			fputs(" \\fI", out);
			manual_escape(out, o->metavar, -1, 0);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		manual_escape(out, o->help, -1, 1);
		fputc('.', out);
		option_default(o, def, sizeof def);
		if (def[0]) {
			fputs(" Default: ", out);
			manual_escape(out, def, -1, 0);
			fputc('.', out);
		}
		if (o->section) {
			fputs(" In the config file: \\fB[", out);
			manual_escape(out, o->section, -1, 0);
			fputs("] ", out);
			manual_escape(out, o->name, -1, 0);
			fputs("\\fR.", out);
		}
		fputc('\n', out);
	}
	if (program)
		for (size_t i = 0; i < NFLAGS(program_flags_after); i++)
			manual_item(out, program_flags_after[i].man, program_flags_after[i].help);
}

void tl_manual_tail(FILE *out, const struct tl_program *p)
{
	const char *f = p->files;

	if (f && *f) {
		tl_manual_section(out, "FILES");
		while (*f) {
			const char *tab = strchr(f, '\t'), *nl = strchr(f, '\n');
			long n = nl ? (long)(nl - f) : (long)strlen(f);
			if (!tab || tab - f > n)
				tab = f + n; /* a path alone */
			fputs(".TP\n.I ", out);
			manual_escape(out, f, tab - f, 0);
			fputc('\n', out);
			if (tab < f + n)
				manual_escape(out, tab + 1, n - (tab + 1 - f), 1);
			fputc('\n', out);
			f += n + (nl ? 1 : 0);
		}
	}
	if (p->see_also) {
		tl_manual_section(out, "SEE ALSO");
		manual_escape(out, p->see_also, -1, 1);
		fputc('\n', out);
	}
}

void tl_program_manual(FILE *out, const struct tl_program *p, const struct tl_option *opts)
{
	tl_manual_head(out, p);
	tl_manual_section(out, "OPTIONS");
	tl_manual_text(out, "Every option is also a setting of the INI file named by --config, "
	                    "in the section shown; flags override the file.");
	tl_manual_options(out, opts, 1);
	tl_manual_tail(out, p);
}

/* --help: the usage forms, what the program does, then every option. */
static void program_help(FILE *out, const struct tl_program *p, const struct tl_option *opts)
{
	const char *u = p->usage;
	int first = 1;

	while (*u) {
		const char *nl = strchr(u, '\n');
		int n = nl ? (int)(nl - u) : (int)strlen(u);
		fprintf(out, "%s %s %.*s\n", first ? "usage:" : "      ", p->name, n, u);
		first = 0;
		u += n + (nl ? 1 : 0);
	}
	fprintf(out, "\n%s\n\nOptions (also [section] name = value in the --config file):\n\n",
	        p->about);
	tl_options_usage_program(out, opts);
}

int tl_program_parse(const struct tl_program *p, const struct tl_option *opts, int argc,
                     char **argv)
{
	char err[1200];
	int first = argc;

	switch (tl_options_parse(opts, argc, argv, &first, err, sizeof err)) {
	case TL_PARSE_HELP:
		program_help(stdout, p, opts);
		exit(0);
	case TL_PARSE_VERSION:
		printf("%s %s\n", p->name, TOUCHLINE_VERSION);
		exit(0);
	case TL_PARSE_MAN:
		tl_program_manual(stdout, p, opts);
		exit(0);
	case TL_PARSE_ERROR:
		fprintf(stderr, "%s: %s\n", p->name, err);
		exit(2);
	case TL_PARSE_OK:
		break;
	}
	return first;
}

void tl_program_log(const char *name, const char *logname, const char *level)
{
	enum tl_log_level l;

	if (tl_log_level_parse(level, &l)) {
		fprintf(stderr, "%s: log-level: '%s' is not debug, info, warn or error\n", name, level);
		exit(2);
	}
	tl_log_init(logname, l);
}
