/* config.h - the one way every Touchline program takes its settings.
 *
 * A program describes its settings once, as a table of tl_option. The same
 * table reads the INI config file (section + name), the command-line flags
 * (--name VALUE or --name=VALUE, booleans as bare --name) and prints --help,
 * so a setting can never be in one place and missing from another. Flags
 * override the file. */
#ifndef TL_CONFIG_H
#define TL_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum tl_opt_type { TL_OPT_STR, TL_OPT_INT, TL_OPT_BOOL };

struct tl_option {
	const char *section;  /* INI section, e.g. "mqtt" */
	const char *name;     /* INI key and flag name, e.g. "host" */
	enum tl_opt_type type;
	void *target;         /* char[size], long, or int (bool) */
	size_t size;          /* TL_OPT_STR: capacity of target */
	long min, max;        /* TL_OPT_INT: accepted range */
	const char *metavar;
	const char *help;
};

#define TL_OPT_END { NULL, NULL, TL_OPT_STR, NULL, 0, 0, 0, NULL, NULL }

/* --help, --version and --man stop parsing wherever they stand. */
enum tl_parse_result {
	TL_PARSE_OK = 0,
	TL_PARSE_ERROR = -1,
	TL_PARSE_HELP = 1,
	TL_PARSE_VERSION = 2,
	TL_PARSE_MAN = 3,
};

/* Applies the config file named by --config (if any) and then every flag.
 * Stops at the first argument that is not a flag, or after "--"; *first_arg
 * is its index. Errors name the file and line or the flag. */
enum tl_parse_result tl_options_parse(const struct tl_option *opts, int argc, char **argv,
                                      int *first_arg, char *err, size_t errlen);
/* Parses a subcommand's arguments: flags from the table anywhere, and up
 * to maxpos positional arguments into pos (count in *npos). */
enum tl_parse_result tl_args_parse(const struct tl_option *opts, int argc, char **argv,
                                   char **pos, int maxpos, int *npos, char *err, size_t errlen);
/* Reads one INI file into the table. */
int tl_config_load(const struct tl_option *opts, const char *path, char *err, size_t errlen);
/* The same from text in memory (tests, fuzzing). */
int tl_config_load_string(const struct tl_option *opts, const char *text, char *err,
                          size_t errlen);
/* Sets one option by name from text, as a flag or the file would. */
int tl_option_set(const struct tl_option *opt, const char *value, char *err, size_t errlen);
/* Prints one line per option: flag, metavar, help, current value. */
void tl_options_usage(FILE *out, const struct tl_option *opts);
/* The same, with the flags every program has (--config, --help, --version). */
void tl_options_usage_program(FILE *out, const struct tl_option *opts);

/* What a program says about itself, once, for both --help and its manual
 * page (--man): the manual is made from this and the option table at
 * build time, so the two cannot differ. Text is plain; paragraphs are
 * separated by a blank line. */
struct tl_program {
	const char *name;
	int section;            /* manual section: 1 (users) or 8 (daemons) */
	const char *summary;    /* one line, for the manual's NAME */
	const char *usage;      /* forms after the name, one per line */
	const char *about;      /* what it does */
	const char *files;      /* "PATH\twhat" lines, or NULL */
	const char *see_also;   /* e.g. "touchline(1), touchline-bridge(8)" */
};

/* The one way a program reads its settings: parses the config file and
 * flags; --help prints usage, about and every option, --version the
 * version, --man the manual page (roff), and all three exit 0; an error
 * prints "NAME: why" and exits 2. Returns the index of the first argument
 * that is not an option. */
int tl_program_parse(const struct tl_program *p, const struct tl_option *opts, int argc,
                     char **argv);
/* Writes the manual page of p with opts to out, in roff (man(7)). The
 * program-wide flags (--config, --help, --version) are included. */
void tl_program_manual(FILE *out, const struct tl_program *p, const struct tl_option *opts);
/* The pieces of a manual, for a program (the admin CLI) whose page has
 * more than one table: the header with NAME, SYNOPSIS and DESCRIPTION;
 * a section heading; plain text as roff paragraphs; and opts as an
 * indented list (with the program-wide flags if program is set). */
void tl_manual_head(FILE *out, const struct tl_program *p);
void tl_manual_section(FILE *out, const char *title);
void tl_manual_text(FILE *out, const char *text);
void tl_manual_options(FILE *out, const struct tl_option *opts, int program);
/* FILES and SEE ALSO of p, at the end of the page. */
void tl_manual_tail(FILE *out, const struct tl_program *p);
/* Starts the logger as logname at the level named by level ("info"...),
 * or prints "NAME: log-level: ..." and exits 2. */
void tl_program_log(const char *name, const char *logname, const char *level);

#endif
