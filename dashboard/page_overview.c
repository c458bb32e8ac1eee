/* page_overview.c - this week and last week at a glance, the part a lead
 * prints for a partnership meeting. */
#include "dashboard.h"

/* One week's numbers: sessions held and cancelled, eligible places,
 * attendances and unique participants. */
static void overview_week(struct dash *d, const struct dash_scope *s, const char *week,
                          long v[5])
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT (SELECT count(*) FROM session s WHERE" DASH_SESSION_WHERE
		"   AND s.iso_week = :w AND s.cancelled_at IS NULL),"
		" (SELECT count(*) FROM session s WHERE" DASH_SESSION_WHERE
		"   AND s.iso_week = :w AND s.cancelled_at IS NOT NULL),"
		" count(a.session), coalesce(sum(a.attended), 0),"
		" count(DISTINCT CASE WHEN a.attended THEN a.participant END)"
		" FROM attendance a JOIN session s ON s.id = a.session"
		" WHERE" DASH_SESSION_WHERE " AND s.iso_week = :w");
	dash_bind(st, ":w", week);
	dash_step(d, st);
	for (int i = 0; i < 5; i++)
		v[i] = sqlite3_column_int64(st, i);
	sqlite3_finalize(st);
}

static long overview_count(struct dash *d, const struct dash_scope *s, const char *sql)
{
	sqlite3_stmt *st = dash_query(d, s, sql);
	long n = dash_step(d, st) ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return n;
}

static void overview_row(FILE *f, const char *id, const char *label, long a, long b)
{
	fprintf(f, "<tr id=\"kpi-%s\"><th scope=\"row\">%s</th><td class=\"num\">%ld</td>"
	           "<td class=\"num\">%ld</td></tr>\n",
	        id, label, a, b);
}

void page_overview(FILE *f, struct dash *d, const struct dash_scope *s)
{
	long tw[5], lw[5], followup, offline, readers;

	overview_week(d, s, d->this_week, tw);
	overview_week(d, s, d->last_week, lw);
	followup = overview_count(d, s,
	                          "SELECT count(*) FROM engagement e JOIN participant p"
	                          " ON p.id = e.participant WHERE" DASH_FOLLOWUP_WHERE);
	offline = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE
	                               " AND r.state = 'offline'");
	readers = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE);

	html_section(f, "overview", "Overview");
	fprintf(f, "<div class=\"scroll\"><table class=\"kpi\" id=\"overview-table\">\n"
	           "<caption>This week and last week (sessions up to %s)</caption>\n"
	           "<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\" class=\"num\">"
	           "This week<br>%s</th><th scope=\"col\" class=\"num\">Last week<br>%s</th>"
	           "</tr></thead>\n<tbody>\n",
	        d->today, d->this_week, d->last_week);
	overview_row(f, "sessions", "Sessions held", tw[0], lw[0]);
	if (tw[1] || lw[1])
		overview_row(f, "cancelled", "Sessions cancelled", tw[1], lw[1]);
	overview_row(f, "attendances", "Attendances", tw[3], lw[3]);
	overview_row(f, "participants", "Unique participants", tw[4], lw[4]);
	fputs("<tr id=\"kpi-rate\"><th scope=\"row\">Average attendance rate<br>"
	      "<span class=\"note\">attendances &#247; places of enrolled participants</span></th>",
	      f);
	html_pct(f, dash_percent(tw[3], tw[2]));
	html_pct(f, dash_percent(lw[3], lw[2]));
	fputs("</tr>\n</tbody>\n</table></div>\n", f);
	fprintf(f, "<div class=\"scroll\"><table class=\"kpi\" id=\"overview-now\">\n"
	           "<caption>Now</caption>\n<tbody>\n"
	           "<tr id=\"kpi-followup\"><th scope=\"row\"><a href=\"#followup\">Participants "
	           "flagged for follow-up</a></th><td class=\"num\">%ld</td></tr>\n"
	           "<tr id=\"kpi-offline\"><th scope=\"row\"><a href=\"#readers\">Readers offline"
	           "</a></th><td class=\"num\">%ld</td><td>of %ld</td></tr>\n</tbody>\n</table></div>\n",
	        followup, offline, readers);
	html_section_end(f);
}
