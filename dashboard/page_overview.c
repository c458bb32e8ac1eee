/* page_overview.c - this week and last week at a glance, the part a lead
 * prints for a partnership meeting. */
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

/* One week's numbers from the run's facts: sessions held and cancelled,
 * eligible places, attendances and unique participants. */
static void overview_week(struct dash *d, const char *pair_in, const long *people,
                          const char *week, long v[5])
{
	int w = facts_week(d, week);

	memset(v, 0, 5 * sizeof *v);
	if (w < 0)
		return;
	for (int i = 0; i < d->facts.nsessions; i++) {
		const struct dash_session *ses = &d->facts.session[i];
		if (ses->week != w || !pair_in[ses->pair])
			continue;
		v[ses->cancelled ? 1 : 0]++;
		v[2] += ses->places;
		v[3] += ses->attended;
	}
	v[4] = people[w];
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
	char *pair_in = facts_pairs_in(d, s);
	long *people = calloc((size_t)d->facts.weeks.n + 1, sizeof *people);

	if (!people)
		dash_fail("out of memory");
	facts_people_per_week(d, pair_in, people);
	overview_week(d, pair_in, people, d->this_week, tw);
	overview_week(d, pair_in, people, d->last_week, lw);
	free(pair_in);
	free(people);
	followup = overview_count(d, s,
	                          "SELECT count(*) FROM temp.fact_followup e WHERE"
	                          DASH_FOLLOWUP_FACT_WHERE);
	offline = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE
	                               " AND r.state = 'offline'");
	readers = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE);

	html_section(f, "overview", "Overview");
	fprintf(f, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"This week and last week\"><table class=\"kpi\" id=\"overview-table\">\n"
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
	fprintf(f, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Now\"><table class=\"kpi\" id=\"overview-now\">\n"
	           "<caption>Now</caption>\n<tbody>\n"
	           "<tr id=\"kpi-followup\"><th scope=\"row\"><a href=\"#followup\">Participants "
	           "flagged for follow-up</a></th><td class=\"num\">%ld</td></tr>\n"
	           "<tr id=\"kpi-offline\"><th scope=\"row\"><a href=\"#readers\">Readers offline"
	           "</a></th><td class=\"num\">%ld</td><td>of %ld</td></tr>\n</tbody>\n</table></div>\n",
	        followup, offline, readers);
	html_section_end(f);
}
