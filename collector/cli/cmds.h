/* cmds.h - every command of the touchline CLI (table in touchline.c). */
#ifndef TL_CMDS_H
#define TL_CMDS_H

struct cli;

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_site_add(struct cli *cli, int argc, char **argv);
int cmd_site_list(struct cli *cli, int argc, char **argv);
int cmd_reader_add(struct cli *cli, int argc, char **argv);
int cmd_reader_list(struct cli *cli, int argc, char **argv);
int cmd_reader_acl(struct cli *cli, int argc, char **argv);
int cmd_participant_add(struct cli *cli, int argc, char **argv);
int cmd_participant_list(struct cli *cli, int argc, char **argv);
int cmd_card_enrol(struct cli *cli, int argc, char **argv);
int cmd_card_revoke(struct cli *cli, int argc, char **argv);
int cmd_unknown_list(struct cli *cli, int argc, char **argv);
int cmd_staff_add(struct cli *cli, int argc, char **argv);
int cmd_staff_list(struct cli *cli, int argc, char **argv);
int cmd_staff_revoke(struct cli *cli, int argc, char **argv);
int cmd_deadletter_list(struct cli *cli, int argc, char **argv);
int cmd_deadletter_show(struct cli *cli, int argc, char **argv);
int cmd_deadletter_retry(struct cli *cli, int argc, char **argv);
int cmd_tap_suspect_list(struct cli *cli, int argc, char **argv);
int cmd_tap_accept(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_export_set(struct cli *cli, int argc, char **argv);
/* Programme model */
int cmd_activity_add(struct cli *cli, int argc, char **argv);
int cmd_activity_list(struct cli *cli, int argc, char **argv);
int cmd_programme_add(struct cli *cli, int argc, char **argv);
int cmd_programme_enrol(struct cli *cli, int argc, char **argv);
int cmd_programme_withdraw(struct cli *cli, int argc, char **argv);
int cmd_programme_list(struct cli *cli, int argc, char **argv);
int cmd_schedule_add(struct cli *cli, int argc, char **argv);
int cmd_schedule_list(struct cli *cli, int argc, char **argv);
int cmd_schedule_cancel(struct cli *cli, int argc, char **argv);
int cmd_session_add(struct cli *cli, int argc, char **argv);
int cmd_session_list(struct cli *cli, int argc, char **argv);
int cmd_session_cancel(struct cli *cli, int argc, char **argv);
int cmd_attendance_rebuild(struct cli *cli, int argc, char **argv);
int cmd_attendance_unmatched(struct cli *cli, int argc, char **argv);
int cmd_attendance_status(struct cli *cli, int argc, char **argv);
int cmd_attendance_mark(struct cli *cli, int argc, char **argv);
int cmd_attendance_unmark(struct cli *cli, int argc, char **argv);
int cmd_attendance_marks(struct cli *cli, int argc, char **argv);
int cmd_programme_expect(struct cli *cli, int argc, char **argv);
int cmd_followup_list(struct cli *cli, int argc, char **argv);
int cmd_report_weekly(struct cli *cli, int argc, char **argv);
int cmd_participant_erase(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);
/* Outcomes */
int cmd_programme_refer(struct cli *cli, int argc, char **argv);
int cmd_programme_exit(struct cli *cli, int argc, char **argv);
int cmd_instrument_add(struct cli *cli, int argc, char **argv);
int cmd_instrument_list(struct cli *cli, int argc, char **argv);
int cmd_assessment_add(struct cli *cli, int argc, char **argv);
int cmd_assessment_list(struct cli *cli, int argc, char **argv);
int cmd_assessment_remove(struct cli *cli, int argc, char **argv);
int cmd_import_assessments(struct cli *cli, int argc, char **argv);
int cmd_import_participants(struct cli *cli, int argc, char **argv);
int cmd_import_enrolments(struct cli *cli, int argc, char **argv);
int cmd_import_schedules(struct cli *cli, int argc, char **argv);
int cmd_source_add(struct cli *cli, int argc, char **argv);
int cmd_source_list(struct cli *cli, int argc, char **argv);
int cmd_outcomes_report(struct cli *cli, int argc, char **argv);

#endif
