/* touchline.c - the admin CLI: touchline [--db FILE] <noun> [<verb>] ...
 *
 * Each command lives in a cmd_*.c file named after its noun; this file
 * only finds the command and opens the database for it. */
#include "cli.h"
#include "cmds.h"
#include "log.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char db_path[1024] = "/var/lib/touchline/touchline.db";

static const struct tl_option global_options[] = {
	{ "database", "db", TL_OPT_STR, db_path, sizeof db_path, 0, 0, "FILE", "SQLite database" },
	TL_OPT_END,
};

const struct cli_command cli_commands[] = {
	{ "init", NULL, cmd_init, "", "Create the database (mode 0600) or migrate it to this version.", 0 },
	{ "site", "add", cmd_site_add, "<site> [--name NAME]", "Register a site (venue).", 1 },
	{ "site", "list", cmd_site_list, "", "List sites.", 1 },
	{ "reader", "add", cmd_reader_add,
	  "<site> <reader> [--credentials [--broker-host H] [--broker-port P]]",
	  "Register a reader at a site; with --credentials, print a new MQTT password,\n"
	  "the broker commands and a ready reader config.", 1 },
	{ "reader", "list", cmd_reader_list, "", "List readers with their last status.", 1 },
	{ "reader", "acl", cmd_reader_acl, "[--topic-prefix P] [--collector-user NAME]",
	  "Print the mosquitto ACL confining each reader to its own topics.", 1 },
	{ "participant", "add", cmd_participant_add, "[--name NAME]",
	  "Add a participant and print their new pseudonymous code.", 1 },
	{ "participant", "list", cmd_participant_list, "[--names]",
	  "List participants (names only with --names).", 1 },
	{ "card", "enrol", cmd_card_enrol,
	  "<code> (--token HEX | --last-unknown --reader SITE/READER)",
	  "Link a card to a participant, by token or as the unknown card just tapped at a reader.", 1 },
	{ "card", "revoke", cmd_card_revoke, "<token>", "Stop crediting taps of a lost card.", 1 },
	{ "unknown", "list", cmd_unknown_list, "", "Cards tapped that nobody holds yet.", 1 },
	{ "deadletter", "list", cmd_deadletter_list, "[--limit N]",
	  "Messages the collector rejected, newest first, with the reason.", 1 },
	{ "export", NULL, cmd_export,
	  "taps|attendance|activity|participants|sessions [--format csv|json] [--from DATE]"
	  " [--to DATE] [--programme P] [--site S] [--rekey] [--output FILE]",
	  "Export a table for evaluators (columns in docs/data-dictionary.md). Pseudonymous\n"
	  "codes only, never names or card tokens; --rekey replaces the codes with random\n"
	  "pseudonyms consistent within this one export. Times are local to the programme\n"
	  "with their UTC offset (taps: UTC). 'activity' is programme activity: programme\n"
	  "sessions only, not a participant's total physical activity.", 1 },
	/* Programme model */
	{ "activity", "add", cmd_activity_add, "<activity> [--intensity moderate|vigorous] [--met MET] [--name NAME]",
	  "Add an activity, or edit one (football and gym exist by default).", 1 },
	{ "activity", "list", cmd_activity_list, "", "List activities with intensity and MET.", 1 },
	{ "programme", "add", cmd_programme_add,
	  "<programme> [--name NAME] [--weeks 12] [--tz Europe/London] [--sites SITE,...]",
	  "Add a programme (or add --sites to one), with its matching settings.", 1 },
	{ "programme", "enrol", cmd_programme_enrol,
	  "<programme> <code> --start DATE [--end DATE] [--sites SITE,... | --schedules ID,...]",
	  "Enrol a participant from their own start date (rolling intake), expected at every\n"
	  "session of the programme or only at those of some sites or schedules.", 1 },
	{ "programme", "expect", cmd_programme_expect,
	  "<programme> <code> (--sites SITE,... | --schedules ID,... | --all) [--from DATE]",
	  "Change which sessions a participant is expected at, from a date on.", 1 },
	{ "programme", "withdraw", cmd_programme_withdraw, "<programme> <code> --date DATE",
	  "Record a withdrawal: sessions from DATE on are no longer expected.", 1 },
	{ "programme", "list", cmd_programme_list, "", "List programmes.", 1 },
	{ "schedule", "add", cmd_schedule_add,
	  "<programme> --site S --activity A --weekday DAY --start HH:MM --end HH:MM"
	  " --from DATE --to DATE",
	  "Add a weekly schedule (local times) and generate its sessions.", 1 },
	{ "schedule", "list", cmd_schedule_list, "[--programme P]", "List schedules.", 1 },
	{ "schedule", "cancel", cmd_schedule_cancel, "<id> (--date DATE | --from DATE) [--reason TEXT]",
	  "Cancel one session of a schedule, or all of them from a date.", 1 },
	{ "session", "add", cmd_session_add,
	  "<programme> --site S --activity A --date DATE --start HH:MM --end HH:MM"
	  " [--expected site|none]",
	  "Add a one-off session, expected of everyone enrolled at its site or a drop-in.", 1 },
	{ "session", "list", cmd_session_list, "[--programme P] [--site S] [--from DATE] [--to DATE]",
	  "List sessions with attendance.", 1 },
	{ "session", "cancel", cmd_session_cancel, "<id> [--reason TEXT]", "Cancel one session.", 1 },
	{ "attendance", "rebuild", cmd_attendance_rebuild, "[--as-of TIME]",
	  "Recompute attendance, programme activity and engagement from the taps (the\n"
	  "collector keeps them current; this repairs, or makes a snapshot --as-of).", 1 },
	{ "attendance", "unmatched", cmd_attendance_unmatched, "",
	  "Taps that matched no session, with the reason.", 1 },
	{ "attendance", "status", cmd_attendance_status, "",
	  "Whether attendance is up to date with the taps (exit 1 if behind).", 1 },
	{ "followup", "list", cmd_followup_list, "[--programme P] [--names]",
	  "Participants who missed their last expected sessions, for a peer mentor.", 1 },
	{ "report", "weekly", cmd_report_weekly, "[--programme P]",
	  "Weekly summary per programme: sessions, attendance, programme activity.", 1 },
	{ "participant", "erase", cmd_participant_erase, "<code> [--yes]",
	  "Erase a participant's name, cards and code; anonymous counts stay.", 1 },
	{ "purge", NULL, cmd_purge, "--before DATE [--yes]",
	  "Delete taps and attendance older than DATE (retention).", 1 },
	{ NULL, NULL, NULL, NULL, NULL, 0 },
};

static const struct tl_program program = {
	.name = "touchline",
	.section = 1,
	.summary = "administer a Touchline attendance database",
	.usage = "[--db FILE] [--config FILE] COMMAND [ARGS]",
	.about = "Administers a Touchline database: sites, readers, participants and their\n"
	         "cards, programmes, schedules and sessions, attendance, follow-up, reports\n"
	         "and exports for evaluators. It may run while the collector does.\n\n"
	         "Exit status: 0 done; 1 the command could not do what was asked (nothing\n"
	         "was changed); 2 a usage error.",
	.files = "/var/lib/touchline/touchline.db\tthe database (mode 0600)",
	.see_also = "touchline-collector(8), touchline-dashboard(1), touchline-bridge(8), "
	            "touchline-protocol(7)",
};

/* --man: the manual page. Each command's options are a table inside the
 * command itself, so each command is run, in a child, with --man: its
 * cli_args prints that table as the manual's entry and exits. A command
 * that does not get that far fails the build that makes the manual. */
static int cli_manual(void)
{
	struct cli none = { NULL, db_path };

	tl_manual_head(stdout, &program);
	tl_manual_section(stdout, "GLOBAL OPTIONS");
	tl_manual_options(stdout, global_options, 1);
	tl_manual_section(stdout, "COMMANDS");
	tl_manual_text(stdout, "'touchline COMMAND --help' describes one command.");
	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		char title[128], synopsis[1024];
		int status;
		pid_t pid;

		snprintf(title, sizeof title, "%s%s%s", c->noun, c->verb ? " " : "",
		         c->verb ? c->verb : "");
		snprintf(synopsis, sizeof synopsis, "touchline %s %s", title, c->args);
		printf(".SS %s\n", title);
		tl_manual_text(stdout, synopsis);
		tl_manual_text(stdout, c->help);
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			perror("touchline: fork");
			return 1;
		}
		if (pid == 0) {
			char man[] = "--man", *argv[] = { man, NULL };
			cli_set_current(c);
			c->run(&none, 1, argv);
			_exit(3); /* it did not parse its arguments first */
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "touchline: --man: command '%s' did not print its options\n",
			        title);
			return 1;
		}
	}
	tl_manual_tail(stdout, &program);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: touchline [--db FILE] [--config FILE] <command> [args]\n\n"
	             "Administers a Touchline database. Commands:\n");
	for (const struct cli_command *c = cli_commands; c->noun; c++)
		fprintf(out, "  %s%s%s %s\n", c->noun, c->verb ? " " : "", c->verb ? c->verb : "",
		        c->args);
	fprintf(out, "\nGlobal options:\n");
	tl_options_usage_program(out, global_options);
	fprintf(out, "\n'touchline <command> --help' describes one command.\n");
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	char err[1024];

	cli_args(cli_current(), NULL, argc, argv, NULL, 0, 0);
	cli->db = tl_store_open(cli->db_path, TL_STORE_CREATE, err, sizeof err);
	if (!cli->db)
		cli_fail("%s", err);
	printf("database %s ready (schema %d)\n", cli->db_path, tl_store_version(cli->db));
	return 0;
}

/* Help (and the manual) needs no database: don't fail on a missing one before showing it. */
static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--man") == 0)
			return 1;
	return 0;
}

static const struct cli_command *find_command(int argc, char **argv, int *used)
{
	for (const struct cli_command *c = cli_commands; c->noun; c++) {
		if (strcmp(argv[0], c->noun) != 0)
			continue;
		if (!c->verb) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->verb) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = { NULL, db_path };
	const struct cli_command *cmd;
	char err[1024];
	int first, used = 0, rc;

	tl_log_init("touchline", TL_LOG_WARN);
	switch (tl_options_parse(global_options, argc, argv, &first, err, sizeof err)) {
	case TL_PARSE_HELP:
		usage(stdout);
		return 0;
	case TL_PARSE_VERSION:
		printf("touchline %s\n", TOUCHLINE_VERSION);
		return 0;
	case TL_PARSE_MAN:
		return cli_manual();
	case TL_PARSE_ERROR:
		fprintf(stderr, "touchline: %s\n", err);
		return 2;
	case TL_PARSE_OK:
		break;
	}
	if (first >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = find_command(argc - first, argv + first, &used);
	if (!cmd) {
		fprintf(stderr, "touchline: unknown command '%s%s%s' (see touchline --help)\n",
		        argv[first], first + 1 < argc ? " " : "", first + 1 < argc ? argv[first + 1] : "");
		return 2;
	}
	cli_set_current(cmd);
	if (cmd->needs_db && !wants_help(argc - first, argv + first)) {
		cli.db = tl_store_open(db_path, 0, err, sizeof err);
		if (!cli.db) {
			fprintf(stderr, "touchline: %s\n", err);
			return 1;
		}
	}
	rc = cmd->run(&cli, argc - first - used, argv + first + used);
	if (cli.db)
		tl_store_close(cli.db);
	return rc;
}
