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
	  "<site> <reader> [--credentials [--broker-host H] [--broker-port P] [--password-out FILE]]",
	  "Register a reader at a site; with --credentials, write a new MQTT password to a\n"
	  "file (mode 600) and print the broker commands and a ready reader config.", 1 },
	{ "reader", "list", cmd_reader_list, "", "List readers with their last status.", 1 },
	{ "reader", "acl", cmd_reader_acl, "[--topic-prefix P] [--collector-user NAME]",
	  "Print the mosquitto ACL confining each reader to its own topics.", 1 },
	{ "participant", "add", cmd_participant_add, "[--name NAME] [--code CODE]",
	  "Add a participant and print their new pseudonymous code.", 1 },
	{ "participant", "list", cmd_participant_list, "[--names]",
	  "List participants (names only with --names).", 1 },
	{ "card", "enrol", cmd_card_enrol,
	  "<code> (--token HEX | --last-unknown --reader SITE/READER)",
	  "Link a card to a participant, by token or as the unknown card just tapped at a reader.", 1 },
	{ "card", "revoke", cmd_card_revoke, "<token>", "Stop crediting taps of a lost card.", 1 },
	{ "unknown", "list", cmd_unknown_list, "", "Cards tapped that nobody holds yet.", 1 },
	{ "staff", "add", cmd_staff_add, "<name> (--token HEX | --last-unknown --reader SITE/READER)",
	  "Register a coach's staff card: its taps are never attendance; at a reader, the\n"
	  "staff card then an unknown card enrols that card as a new participant.", 1 },
	{ "staff", "list", cmd_staff_list, "", "List staff cards.", 1 },
	{ "staff", "revoke", cmd_staff_revoke, "<token>", "Stop a lost staff card.", 1 },
	{ "deadletter", "list", cmd_deadletter_list, "[--limit N]",
	  "Messages the collector rejected, newest first, with the reason.", 1 },
	{ "deadletter", "show", cmd_deadletter_show, "<n>",
	  "One rejected message in full (unprintable bytes escaped).", 1 },
	{ "deadletter", "retry", cmd_deadletter_retry, "<n> [--ts-offset SECONDS] [--topic-prefix P]",
	  "Re-enter a rejected tap (its ts moved by SECONDS if the reader's clock was wrong)\n"
	  "through the collector's own checks; the dead letter goes once it is stored.", 1 },
	{ "tap", "suspect", cmd_tap_suspect_list, "[list] [--all]",
	  "Taps held out of attendance as suspiciously late, until accepted.", 1 },
	{ "tap", "accept", cmd_tap_accept, "<tap-id> | --all-from SITE/READER",
	  "Accept suspect taps: they count for attendance from now on.", 1 },
	{ "export", "set", cmd_export_set,
	  "<dir> [--format csv|json] [--from DATE] [--to DATE] [--programme P]",
	  "Write every export into a new folder DIR under one fresh key, for sharing: the\n"
	  "files join within the set and link to no other set; times are coarsened (no\n"
	  "seconds, no tap ids). manifest.json says what it holds (never the key).", 1 },
	{ "export", NULL, cmd_export,
	  "taps|attendance|activity|participants|sessions|outcomes|referrals [--format csv|json] [--from DATE]"
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
	{ "programme", "withdraw", cmd_programme_withdraw,
	  "<programme> <code> --date DATE [--reason REASON]",
	  "Record a withdrawal: sessions from DATE on are no longer expected; --reason says\n"
	  "why (completed, work_or_training, moved_away, custody, disengaged, other).", 1 },
	{ "programme", "exit", cmd_programme_exit, "<programme> <code> --reason REASON [--date DATE]",
	  "Record why a participant left (work_or_training is a good exit, not a drop-out);\n"
	  "with --date, also that they left early on DATE.", 1 },
	{ "programme", "refer", cmd_programme_refer, "<programme> <code> --source S --date DATE",
	  "Record a referral; enrolling the participant starts it. A referral never enrolled\n"
	  "counts as referred and not started.", 1 },
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
	{ "attendance", "mark", cmd_attendance_mark,
	  "<code> --session ID --reason TEXT [--minutes N] [--by NAME]",
	  "Mark a participant attended by hand (a forgotten card, a paper register): counted\n"
	  "like a tap, kept by every rebuild, exported with source 'manual'.", 1 },
	{ "attendance", "unmark", cmd_attendance_unmark, "<code> --session ID",
	  "Take a manual mark back.", 1 },
	{ "attendance", "marks", cmd_attendance_marks, "",
	  "List manual marks: who made them, when and why.", 1 },
	{ "followup", "list", cmd_followup_list, "[--programme P] [--names]",
	  "Participants who missed their last expected sessions, for a peer mentor.", 1 },
	{ "report", "weekly", cmd_report_weekly, "[--programme P]",
	  "Weekly summary per programme: sessions, attendance, programme activity.", 1 },
	{ "participant", "erase", cmd_participant_erase, "<code> [--yes]",
	  "Erase a participant's name, cards and code; anonymous counts stay.", 1 },
	{ "purge", NULL, cmd_purge, "--before DATE [--yes]",
	  "Delete taps, attendance, dead letters, assessments and referrals older than DATE\n"
	  "(retention).", 1 },
	/* Outcomes */
	{ "instrument", "add", cmd_instrument_add, "<file>",
	  "Add (or update) an outcome instrument from its definition file (docs/outcomes.md;\n"
	  "SWEMWBS, ONS4 and the seven pathways ship in deploy/instruments).", 1 },
	{ "instrument", "list", cmd_instrument_list, "", "List outcome instruments.", 1 },
	{ "assessment", "add", cmd_assessment_add,
	  "<code> --instrument ID --date DATE --scores N,N,... [--wave WAVE] [--programme P]"
	  " [--replace] [--outside-enrolment]",
	  "Record an assessment: item scores only (no free text), checked against the\n"
	  "instrument's ranges and missing-item rule and the enrolment's dates.", 1 },
	{ "assessment", "list", cmd_assessment_list, "<code>", "A participant's assessments.", 1 },
	{ "assessment", "remove", cmd_assessment_remove, "<id>", "Remove one assessment.", 1 },
	{ "import", "assessments", cmd_import_assessments, "<file.csv> [--replace]",
	  "Import assessments from CSV (participant, programme, instrument, wave, date,\n"
	  "scores): all or nothing, every bad line reported.", 1 },
	{ "import", "participants", cmd_import_participants, "<file.csv> [--dry-run]",
	  "Add participants from CSV (code, name; both optional): every row as 'participant\n"
	  "add' would take it, all or nothing, every bad line reported (docs/import.md).", 1 },
	{ "import", "enrolments", cmd_import_enrolments, "<file.csv> [--dry-run]",
	  "Enrol participants from CSV (programme, participant, start, end, sites,\n"
	  "schedules): as 'programme enrol', all or nothing (docs/import.md).", 1 },
	{ "import", "schedules", cmd_import_schedules, "<file.csv> [--dry-run]",
	  "Add weekly schedules from CSV (programme, site, activity, weekday, start, end,\n"
	  "from, to): as 'schedule add', all or nothing (docs/import.md).", 1 },
	{ "source", "add", cmd_source_add, "<source> [--name NAME]",
	  "Add a referral source (probation, prison, self, agency and other exist).", 1 },
	{ "source", "list", cmd_source_list, "", "List referral sources.", 1 },
	{ "outcomes", "report", cmd_outcomes_report, "[--programme P]",
	  "Referrals, exits and distance travelled per programme and instrument: the\n"
	  "distribution of change, the share improved, and change against dose.", 1 },
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
