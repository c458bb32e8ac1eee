/* page_overview.c - this week and last week at a glance, the part a lead
 * prints for a partnership meeting. */
#include "calendar.h"
#include "dashboard.h"
#include "grow.h"

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


/* Enrolments of the page by status (engagement.status). */
static void overview_enrolments(FILE *f, struct dash *d, const struct dash_scope *s,
                                const char *pair_in)
{
	static const char *const status[] = { "active", "not_started", "completed", "withdrawn" };
	static const char *const label[] = { "Active", "Not started yet", "Completed",
		                             "Withdrawn" };
	long n[4] = { 0 }, all = 0;

	for (long k = 0; k < d->facts.nenrols; k++) {
		if (!facts_enrol_in(d, s, pair_in, k))
			continue;
		all++;
		for (int i = 0; i < 4; i++)
			n[i] += strcmp(d->facts.enrol[k].status, status[i]) == 0;
	}
	fputs(HTML_SCROLL("Enrolments")
	      "<table class=\"kpi\" id=\"overview-enrolments\">\n<caption>Enrolments</caption>\n"
	      "<tbody>\n",
	      f);
	fprintf(f, "<tr id=\"kpi-enrolled\"><th scope=\"row\">Enrolled, ever</th><td class=\"num\">"
	           "%ld</td></tr>\n",
	        all);
	for (int i = 0; i < 4; i++)
		fprintf(f, "<tr id=\"kpi-%s\"><th scope=\"row\">%s</th><td class=\"num\">%ld</td></tr>\n",
		        status[i], label[i], n[i]);
	fputs("</tbody>\n</table></div>\n", f);
}


void overview_total(const struct dash *d, const char *pair_in, const char *from,
                           struct overview_total *t)
{
	const struct dash_facts *x = &d->facts;
	char *week_in = calloc((size_t)x->weeks.n + 1, 1);
	int last = -1;

	if (!week_in)
		dash_fail("out of memory");
	memset(t, 0, sizeof *t);
	for (int i = 0; i < x->nsessions; i++) {
		const struct dash_session *ses = &x->session[i];
		if (!pair_in[ses->pair] || strcmp(ses->date, from) < 0)
			continue;
		week_in[ses->week] = 1;
		if (ses->cancelled) {
			t->cancelled++;
			continue;
		}
		t->held++;
		t->places += ses->places;
		t->came += ses->attended;
		t->extras += ses->extras;
	}
	/* people: anyone who came in one of those weeks (cells by person) */
	for (long i = 0; i < x->ncells; i++) {
		const struct dash_cell *c = &x->cell[i];
		if (c->person != last && c->attended && pair_in[c->pair] && week_in[c->week] &&
		    strcmp(x->weeks.v[c->week][1], from) >= 0) {
			t->people++;
			last = c->person;
		}
	}
	free(week_in);
}

/* Totals to date and for the quarter so far, side by side. */
static void overview_totals(FILE *f, struct dash *d, const char *pair_in)
{
	struct overview_total all, q;
	char from[TL_DATE_LEN], day[32];
	int64_t today;
	int y, m, dd;

	tl_cal_parse(d->today, &today);
	tl_cal_civil(today, &y, &m, &dd);
	tl_cal_format(tl_cal_days(y, (m - 1) / 3 * 3 + 1, 1), from);
	overview_total(d, pair_in, "", &all);
	overview_total(d, pair_in, from, &q);
	fprintf(f, HTML_SCROLL("To date and this quarter")
	           "<table class=\"kpi\" id=\"overview-totals\">\n<caption>To date "
	           "and this quarter (from %s)</caption>\n<thead><tr><th scope=\"col\">Measure</th>"
	           "<th scope=\"col\" class=\"num\">To date</th><th scope=\"col\" class=\"num\">"
	           "Quarter to date</th></tr></thead>\n<tbody>\n",
	        dash_day(from, 1, day));
	overview_row(f, "tot-held", "Sessions delivered", all.held, q.held);
	overview_row(f, "tot-cancelled", "Sessions cancelled", all.cancelled, q.cancelled);
	overview_row(f, "tot-came", "Attendances at expected sessions", all.came, q.came);
	overview_row(f, "tot-extras", "Extra attendances", all.extras, q.extras);
	overview_row(f, "tot-people", "Unique participants who came", all.people, q.people);
	fputs("<tr id=\"kpi-tot-rate\"><th scope=\"row\">Attendance rate on expected sessions</th>",
	      f);
	html_pct(f, dash_percent(all.came, all.places));
	html_pct(f, dash_percent(q.came, q.places));
	fputs("</tr>\n</tbody>\n</table></div>\n", f);
}

/* Retention of enrolments at programme week w: of those w weeks or more
 * into their programme, the share that attended in week w or later (as
 * the Retention section counts it). */
int overview_retention(struct dash *d, const struct dash_scope *s, const char *pair_in,
                              int w)
{
	long in = 0, still = 0;
	int64_t today, start;

	tl_cal_parse(d->today, &today);
	for (long k = 0; k < d->facts.nenrols; k++) {
		const struct dash_enrol *e = &d->facts.enrol[k];
		if (tl_cal_parse(e->start, &start) || (today - start) / 7 < w ||
		    !facts_enrol_in(d, s, pair_in, k))
			continue;
		in++;
		still += e->last_pw >= w;
	}
	return dash_percent(still, in);
}

/* A site's row of the side-by-side table, for a programme (or all): the
 * same on the index, the site's page and the summary, so each is worked
 * out once per run. */
struct overview_site {
	char programme[DASH_ID_MAX]; /* "" for every programme */
	int site;
	struct overview_total t;
	long starters;
	int retention[3];            /* weeks 4, 8, 12 */
};

static const struct overview_site *overview_site_row(struct dash *d, const struct dash_scope *one,
                                                     const char *in, int site)
{
	static struct overview_site *cache;
	static size_t n, cap;
	const struct dash_facts *x = &d->facts;
	const char *prog = one->programme ? one->programme : "";
	struct overview_site *r;

	for (size_t i = 0; i < n; i++)
		if (cache[i].site == site && strcmp(cache[i].programme, prog) == 0)
			return &cache[i];
	if (tl_grow(&cache, &cap, n, sizeof *cache))
		dash_fail("out of memory");
	r = &cache[n++];
	memset(r, 0, sizeof *r);
	snprintf(r->programme, sizeof r->programme, "%s", prog);
	r->site = site;
	overview_total(d, in, "", &r->t);
	for (long k = 0; k < x->nenrols; k++)
		r->starters += strcmp(x->enrol[k].start, d->today) <= 0 && facts_enrol_in(d, one, in, k);
	for (int i = 0; i < 3; i++)
		r->retention[i] = overview_retention(d, one, in, 4 * (i + 1));
	return r;
}

/* The page's sites side by side: what was delivered, who came, how
 * well they keep coming, and a reader problem that would explain a gap. */
void overview_sites(FILE *f, struct dash *d, const struct dash_scope *s, const char *pair_in,
                    int max)
{
	const struct dash_facts *x = &d->facts;
	int shown = 0, more = 0;

	fputs("<h3>Sites side by side</h3>\n" HTML_SCROLL("Sites side by side")
	      "<table id=\"sites-table\" class=\"sortable\">\n"
	      "<caption>Each site to date</caption>\n<thead><tr><th scope=\"col\" data-sort=\"text\">"
	      "Site</th><th scope=\"col\" class=\"num\" data-sort=\"num\">Sessions delivered</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Cancelled</th><th scope=\"col\" "
	      "class=\"num\" data-sort=\"num\">Participants who came</th><th scope=\"col\" "
	      "class=\"num\" data-sort=\"num\">New starters</th><th scope=\"col\" class=\"num\" "
	      "data-sort=\"num\">Attendance rate</th><th scope=\"col\" class=\"num\" "
	      "data-sort=\"num\">Retention wk 4</th><th scope=\"col\" class=\"num\" "
	      "data-sort=\"num\">Wk 8</th><th scope=\"col\" class=\"num\" data-sort=\"num\">Wk 12"
	      "</th><th scope=\"col\">Readers</th></tr></thead>\n<tbody>\n",
	      f);
	for (int j = 0; j < x->sites.n; j++) {
		struct dash_scope one = *s;
		const struct overview_site *r;
		char *in;
		int any = 0;
		if (s->site && strcmp(s->site, x->sites.v[j][0]) != 0)
			continue;
		one.site = x->sites.v[j][0];
		in = facts_pairs_in(d, &one);
		for (int p = 0; p < x->pairs.n; p++)
			any |= in[p] && pair_in[p];
		if (!any || (max && shown >= max)) {
			more += any;
			free(in);
			continue;
		}
		r = overview_site_row(d, &one, in, j);
		fprintf(f, "<tr id=\"site-%d\"><th scope=\"row\">", ++shown);
		html_esc(f, x->sites.v[j][1]);
		fprintf(f, "</th><td class=\"num\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">"
		           "%ld</td><td class=\"num\">%ld</td>",
		        r->t.held, r->t.cancelled, r->t.people, r->starters);
		html_pct(f, dash_percent(r->t.came, r->t.places));
		for (int i = 0; i < 3; i++)
			html_pct(f, r->retention[i]);
		fputs("<td>", f);
		readers_marks(f, d, x->sites.v[j][0]);
		fputs("</td></tr>\n", f);
		free(in);
	}
	if (!shown)
		fputs("<tr><td colspan=\"10\">No sessions yet.</td></tr>\n", f);
	fputs("</tbody>\n</table></div>\n", f);
	if (more)
		fprintf(f, "<p class=\"note\">And %d more sites: see the dashboard.</p>\n", more);
	fputs("<p class=\"note\">Attendance rate: of the places at "
	      "sessions participants were expected at, the share taken. Retention at week N: of "
	      "the participants N or more weeks into their programme, the share who came in "
	      "programme week N or later. New starters: enrolments begun by today.</p>\n",
	      f);
}

void page_overview(FILE *f, struct dash *d, const struct dash_scope *s)
{
	long tw[5], lw[5], followup, offline, readers;
	char day[32];
	char *pair_in = facts_pairs_in(d, s);
	long *people = calloc((size_t)d->facts.weeks.n + 1, sizeof *people);

	if (!people)
		dash_fail("out of memory");
	facts_people_per_week(d, pair_in, people);
	overview_week(d, pair_in, people, d->this_week, tw);
	overview_week(d, pair_in, people, d->last_week, lw);
	free(people);
	followup = overview_count(d, s,
	                          "SELECT count(*) FROM temp.fact_followup e WHERE"
	                          DASH_FOLLOWUP_FACT_WHERE);
	offline = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE
	                               " AND r.state = 'offline'");
	readers = overview_count(d, s, "SELECT count(*) FROM reader r WHERE" DASH_READER_WHERE);

	html_section(f, "overview", "Overview");
	fprintf(f, HTML_SCROLL("This week and last week") "<table class=\"kpi\" id=\"overview-table\">\n"
	           "<caption>This week and last week (sessions up to %s)</caption>\n"
	           "<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\" class=\"num\">"
	           "This week<br>%s</th><th scope=\"col\" class=\"num\">Last week<br>%s</th>"
	           "</tr></thead>\n<tbody>\n",
	        dash_day(d->today, 1, day), d->this_week, d->last_week);
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
	fprintf(f, HTML_SCROLL("Now") "<table class=\"kpi\" id=\"overview-now\">\n"
	           "<caption>Now</caption>\n<tbody>\n"
	           "<tr id=\"kpi-followup\"><th scope=\"row\"><a href=\"#followup\">Participants "
	           "flagged for follow-up</a></th><td class=\"num\">%ld</td></tr>\n"
	           "<tr id=\"kpi-offline\"><th scope=\"row\"><a href=\"#readers\">Readers offline"
	           "</a></th><td class=\"num\">%ld</td><td>of %ld</td></tr>\n</tbody>\n</table></div>\n",
	        followup, offline, readers);
	fputs("<div class=\"fig\">\n", f);
	overview_totals(f, d, pair_in);
	overview_enrolments(f, d, s, pair_in);
	fputs("</div>\n", f);
	overview_sites(f, d, s, pair_in, 0);
	free(pair_in);
	html_section_end(f);
}
