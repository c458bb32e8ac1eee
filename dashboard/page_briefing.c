/* page_briefing.c - the programme lead's Monday on one screen: the last
 * complete week (and, from Tuesday, this week so far beside it), each
 * session of the week with who came against who was expected, the people
 * who started, came for the first time or came back, the enrolments that
 * ended, and the change on the week before, in words as well as numbers.
 *
 * Every number comes from the run's facts (facts.c), which hold the
 * derived tables as they are: attendance (expected places and extras),
 * engagement (status), session; nothing here applies an attendance rule. */
#include "calendar.h"
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

#define BRIEF_MAX_NAMES 20 /* people named in a list before "and N more" */

struct brief_week {
	char name[9], mon[11], last[11]; /* ISO week, its Monday, last day counted */
	int fw;                          /* its index in the facts, -1 if none */
	long held, cancelled, places, came, extras, people;
	long starters, first, back, ended, withdrawn;
};

/* A week from its Monday (a day number) to its last day counted. */
static void brief_week_init(struct dash *d, struct brief_week *w, const char *name,
                            int64_t monday, int64_t last)
{
	memset(w, 0, sizeof *w);
	snprintf(w->name, sizeof w->name, "%s", name);
	tl_cal_format(monday, w->mon);
	tl_cal_format(last, w->last);
	w->fw = facts_week(d, name);
}

/* Whether date (YYYY-MM-DD, "" for none) falls within the week. */
static int brief_in(const struct brief_week *w, const char *date)
{
	return date[0] && strcmp(date, w->mon) >= 0 && strcmp(date, w->last) <= 0;
}

/* The week's numbers for the page's pairs. */
static void brief_count(struct dash *d, const struct dash_scope *s, const char *pair_in,
                        const long *people, struct brief_week *w)
{
	const struct dash_facts *x = &d->facts;

	if (w->fw >= 0) {
		for (int i = 0; i < x->nsessions; i++) {
			const struct dash_session *ses = &x->session[i];
			if (ses->week != w->fw || !pair_in[ses->pair])
				continue;
			if (ses->cancelled) {
				w->cancelled++;
				continue;
			}
			w->held++;
			w->places += ses->places;
			w->came += ses->attended;
			w->extras += ses->extras;
		}
		w->people = people[w->fw];
		/* people, not events: a participant's events are together */
		for (long i = 0, seen[2] = { -1, -1 }; i < x->nevents; i++) {
			const struct dash_event *e = &x->event[i];
			if (e->week != w->fw || !pair_in[e->pair] || seen[e->kind] == e->person)
				continue;
			seen[e->kind] = e->person;
			if (e->kind == DASH_EV_FIRST)
				w->first++;
			else
				w->back++;
		}
	}
	for (long k = 0; k < x->nenrols; k++) {
		const struct dash_enrol *e = &x->enrol[k];
		if (!brief_in(w, e->start) && !brief_in(w, e->end) && !brief_in(w, e->withdrawn))
			continue;
		if (!facts_enrol_in(d, s, pair_in, k))
			continue;
		w->starters += brief_in(w, e->start);
		w->withdrawn += brief_in(w, e->withdrawn);
		w->ended += brief_in(w, e->end) && !(e->withdrawn[0] && strcmp(e->withdrawn, e->end) <= 0);
	}
}

/* The week's sessions in the page's pairs, in time order. */
static int brief_sessions(const struct dash *d, const char *pair_in, int fw, int **out)
{
	const struct dash_facts *x = &d->facts;
	int n = 0, *v = malloc(((size_t)x->nsessions + 1) * sizeof *v);

	if (!v)
		dash_fail("out of memory");
	for (int i = 0; fw >= 0 && i < x->nsessions; i++) {
		int j;
		if (x->session[i].week != fw || !pair_in[x->session[i].pair])
			continue;
		for (j = n; j > 0 && x->session[v[j - 1]].start_ts > x->session[i].start_ts; j--)
			v[j] = v[j - 1];
		v[j] = i;
		n++;
	}
	*out = v;
	return n;
}

/* The same slot (programme, site, activity, weekday, start time) in week
 * fw, held; -1 if none. */
static int brief_same_slot(const struct dash *d, const struct dash_session *ses, int fw)
{
	const struct dash_facts *x = &d->facts;

	for (int i = 0; fw >= 0 && i < x->nsessions; i++) {
		const struct dash_session *o = &x->session[i];
		if (o->week == fw && !o->cancelled && o->pair == ses->pair &&
		    o->activity == ses->activity && o->weekday == ses->weekday &&
		    strcmp(o->time, ses->time) == 0)
			return i;
	}
	return -1;
}

static const char *brief_site(const struct dash *d, const struct dash_session *ses)
{
	int j = facts_pair_site(d, ses->pair);
	return j < 0 ? d->facts.pairs.v[ses->pair][1] : d->facts.sites.v[j][1];
}

static const char *brief_activity(const struct dash *d, const struct dash_session *ses)
{
	return ses->activity < 0 ? "session" : d->facts.activities.v[ses->activity][1];
}

/* Writes s lower-cased in its first letter (an activity's name inside a
 * sentence: "Football" -> "football"). */
static void brief_lower_first(FILE *f, const char *s)
{
	char one[2] = { s[0] >= 'A' && s[0] <= 'Z' ? (char)(s[0] - 'A' + 'a') : s[0], 0 };
	if (!s[0])
		return;
	html_esc(f, one);
	html_esc(f, s + 1);
}

/* "3 more than", "2 fewer than", "as many as" the week before. */
static void brief_change_words(FILE *f, long now, long before)
{
	if (now > before)
		fprintf(f, "%ld more than the week before", now - before);
	else if (now < before)
		fprintf(f, "%ld fewer than the week before", before - now);
	else
		fputs("as many as the week before", f);
}

/* One session as a sentence: "12 came to Tuesday football at Burnley
 * (10 of 14 expected, and 2 extra), 3 more than the week before." */
static void brief_session_words(FILE *f, const struct dash *d, const struct dash_session *ses,
                                int prev_week, const char *id)
{
	char day[32];

	fprintf(f, "<li id=\"%s\">", id);
	if (ses->cancelled) {
		fputs(dash_weekday_name(ses->weekday), f);
		fputc(' ', f);
		brief_lower_first(f, brief_activity(d, ses));
		fputs(" at ", f);
		html_esc(f, brief_site(d, ses));
		fprintf(f, " on %s was cancelled", dash_day(ses->date, 1, day));
		if (ses->reason) {
			fputs(": ", f);
			html_esc(f, ses->reason);
		}
		fputs(".</li>\n", f);
		return;
	}
	{
		long came = ses->attended + ses->extras;
		int p = brief_same_slot(d, ses, prev_week);
		if (came)
			fprintf(f, "%ld came to ", came);
		else
			fputs("Nobody came to ", f);
		fputs(dash_weekday_name(ses->weekday), f);
		fputc(' ', f);
		brief_lower_first(f, brief_activity(d, ses));
		fputs(" at ", f);
		html_esc(f, brief_site(d, ses));
		fprintf(f, " (%ld of %ld expected", ses->attended, ses->places);
		if (ses->extras)
			fprintf(f, ", and %ld extra", ses->extras);
		fputs(")", f);
		if (p >= 0) {
			const struct dash_session *o = &d->facts.session[p];
			fputs(", ", f);
			brief_change_words(f, came, o->attended + o->extras);
		} else {
			fputs(", no such session the week before", f);
		}
		fputs(".</li>\n", f);
	}
}

/* The register of a week's sessions: date, time, site, activity, came /
 * expected, extra, the change on the same session the week before, and
 * why a session was cancelled or which reader had a problem during it. */
static void brief_register(FILE *f, struct dash *d, const char *pair_in,
                           const struct brief_week *w, int prev_week, const char *id,
                           const char *caption)
{
	int *v, n = brief_sessions(d, pair_in, w->fw, &v);

	fprintf(f, HTML_SCROLL("%s")
	           "<table id=\"%s\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">Date"
	           "</th><th scope=\"col\">Site</th><th scope=\"col\">Activity</th>"
	           "<th scope=\"col\" class=\"num\">Came / expected</th><th scope=\"col\" "
	           "class=\"num\">Extra</th><th scope=\"col\" class=\"num\">Week before</th>"
	           "<th scope=\"col\">Note</th></tr></thead>\n<tbody>\n",
	        caption, id, caption);
	for (int i = 0; i < n; i++) {
		const struct dash_session *ses = &d->facts.session[v[i]];
		char day[32];
		fprintf(f, "<tr id=\"%s-%d\"><th scope=\"row\">%s %s</th><td>", id, i + 1,
		        dash_day(ses->date, 0, day), ses->time);
		html_esc(f, brief_site(d, ses));
		fputs("</td><td>", f);
		html_esc(f, brief_activity(d, ses));
		if (ses->cancelled) {
			fputs("</td><td class=\"num\">&#8211;</td><td class=\"num\">&#8211;</td>"
			      "<td class=\"num\">&#8211;</td><td><strong>Cancelled</strong>",
			      f);
			if (ses->reason) {
				fputs(": ", f);
				html_esc(f, ses->reason);
			}
			fputs("</td></tr>\n", f);
			continue;
		}
		fprintf(f, "</td><td class=\"num\">%ld / %ld</td><td class=\"num\">%ld</td>",
		        ses->attended, ses->places, ses->extras);
		{
			int p = brief_same_slot(d, ses, prev_week);
			if (p < 0) {
				fputs("<td class=\"num\">&#8211;</td>", f);
			} else {
				const struct dash_session *o = &d->facts.session[p];
				long a = ses->attended + ses->extras, b = o->attended + o->extras;
				fprintf(f, "<td class=\"num\">%ld came (%s%ld)</td>", b,
				        a > b ? "+" : a < b ? "&#8722;" : "&#177;", a > b ? a - b : b - a);
			}
		}
		fputs("<td>", f);
		readers_session_marks(f, d, v[i]);
		fputs("</td></tr>\n", f);
	}
	if (!n)
		fputs("<tr><td colspan=\"7\">No sessions this week.</td></tr>\n", f);
	fputs("</tbody>\n</table></div>\n", f);
	free(v);
}

/* Whether person p's event or enrolment is already named in this list. */
static int brief_named(const int *seen, int n, int person)
{
	for (int i = 0; i < n; i++)
		if (seen[i] == person)
			return 1;
	return 0;
}

/* One person in a list: the code, and the name with --names. */
static void brief_person(FILE *f, const struct dash *d, int person)
{
	const struct dash_person *p = &d->facts.person[person];

	html_esc(f, p->code[0] ? p->code : "(erased)");
	if (p->name) {
		fputs(" (", f);
		html_esc(f, p->name);
		fputc(')', f);
	}
}

/* "Came for the first time: P-0002, P-0007." and the like: the people of
 * one kind in the week (kind: an event kind, or 'S' starters, 'E' ended,
 * 'W' withdrawn). */
static void brief_people(FILE *f, struct dash *d, const struct dash_scope *s,
                         const char *pair_in, const struct brief_week *w, int kind,
                         const char *what, const char *id)
{
	const struct dash_facts *x = &d->facts;
	int *seen = malloc(((size_t)x->npersons + 1) * sizeof *seen), n = 0;

	if (!seen)
		dash_fail("out of memory");
	if (kind == DASH_EV_FIRST || kind == DASH_EV_BACK) {
		for (long i = 0; w->fw >= 0 && i < x->nevents; i++) {
			const struct dash_event *e = &x->event[i];
			if (e->week == w->fw && pair_in[e->pair] && e->kind == kind &&
			    !brief_named(seen, n, e->person))
				seen[n++] = e->person;
		}
	} else {
		for (long k = 0; k < x->nenrols; k++) {
			const struct dash_enrol *e = &x->enrol[k];
			int yes = kind == 'S'   ? brief_in(w, e->start)
			          : kind == 'W' ? brief_in(w, e->withdrawn)
			                        : brief_in(w, e->end) &&
			                                  !(e->withdrawn[0] && strcmp(e->withdrawn, e->end) <= 0);
			if (yes && facts_enrol_in(d, s, pair_in, k) && !brief_named(seen, n, e->person))
				seen[n++] = e->person;
		}
	}
	if (n) {
		fprintf(f, "<li id=\"%s\">%s (%d): ", id, what, n);
		for (int i = 0; i < n && i < BRIEF_MAX_NAMES; i++) {
			if (i)
				fputs(", ", f);
			brief_person(f, d, seen[i]);
		}
		if (n > BRIEF_MAX_NAMES)
			fprintf(f, " and %d more", n - BRIEF_MAX_NAMES);
		fputs(".</li>\n", f);
	}
	free(seen);
}

/* A row of the summary: the week, the week before, the change, and this
 * week so far when shown. */
static void brief_row(FILE *f, const char *id, const char *label, long a, long b, int so_far,
                      long c)
{
	fprintf(f, "<tr id=\"brief-%s\"><th scope=\"row\">%s</th><td class=\"num\">%ld</td>"
	           "<td class=\"num\">%ld</td><td class=\"num\">%s%ld</td>",
	        id, label, a, b, a > b ? "+" : a < b ? "&#8722;" : "&#177;", a > b ? a - b : b - a);
	if (so_far)
		fprintf(f, "<td class=\"num\">%ld</td>", c);
	fputs("</tr>\n", f);
}

/* The week in one paragraph. */
static void brief_summary_words(FILE *f, const struct brief_week *w, const struct brief_week *b,
                                const char *when, const char *id)
{
	char d1[32], d2[32];
	int r = dash_percent(w->came, w->places);

	fprintf(f, "<li id=\"%s\"><strong>%s (%s to %s)</strong>: ", id, when, dash_day(w->mon, 1, d1),
	        dash_day(w->last, 1, d2));
	if (!w->held && !w->cancelled) {
		fputs("no sessions.</li>\n", f);
		return;
	}
	fprintf(f, "%ld session%s held", w->held, w->held == 1 ? " was" : "s were");
	if (w->cancelled)
		fprintf(f, " and %ld cancelled", w->cancelled);
	fprintf(f, ". %ld of %ld expected places were taken", w->came, w->places);
	if (r >= 0)
		fprintf(f, " (%d%%)", r);
	if (b) {
		fputs(", ", f);
		brief_change_words(f, w->came, b->came);
	}
	fprintf(f, "; %ld %s came", w->people, w->people == 1 ? "person" : "people");
	if (w->extras)
		fprintf(f, ", and %ld extra attendance%s outside what was expected", w->extras,
		        w->extras == 1 ? "" : "s");
	fputs(".</li>\n", f);
}

void page_briefing(FILE *f, struct dash *d, const struct dash_scope *s)
{
	char *pair_in = facts_pairs_in(d, s);
	long *people = calloc((size_t)d->facts.weeks.n + 1, sizeof *people);
	struct brief_week last, before, now;
	int64_t today, monday;
	int so_far = d->weekday >= 2; /* from Tuesday, this week so far beside */
	char d1[32];

	if (!people)
		dash_fail("out of memory");
	tl_cal_parse(d->today, &today);
	monday = tl_cal_week_monday(today);
	brief_week_init(d, &last, d->last_week, monday - 7, monday - 1);
	brief_week_init(d, &before, d->week_before, monday - 14, monday - 8);
	brief_week_init(d, &now, d->this_week, monday, today);
	facts_people_per_week(d, pair_in, people);
	brief_count(d, s, pair_in, people, &last);
	brief_count(d, s, pair_in, people, &before);
	brief_count(d, s, pair_in, people, &now);

	html_section(f, "briefing", "Briefing");
	fprintf(f, "<p class=\"lead\">Last week, %s (week %s)", dash_day(last.mon, 1, d1),
	        last.name);
	fprintf(f, " to %s", dash_day(last.last, 1, d1));
	if (so_far)
		fprintf(f, ", and this week so far, up to %s", dash_day(d->today, 1, d1));
	fputs(".</p>\n<ul class=\"words\" id=\"brief-words\">\n", f);
	brief_summary_words(f, &last, &before, "Last week", "brief-w-last");
	if (so_far)
		brief_summary_words(f, &now, NULL, "This week so far", "brief-w-now");
	{
		int *v, n = brief_sessions(d, pair_in, last.fw, &v);
		for (int i = 0; i < n; i++) {
			char id[32];
			snprintf(id, sizeof id, "brief-w-s%d", i + 1);
			brief_session_words(f, d, &d->facts.session[v[i]], before.fw, id);
		}
		free(v);
	}
	brief_people(f, d, s, pair_in, &last, 'S', "Started last week", "brief-w-starters");
	brief_people(f, d, s, pair_in, &last, DASH_EV_FIRST, "Came for the first time",
	             "brief-w-first");
	brief_people(f, d, s, pair_in, &last, DASH_EV_BACK,
	             "Came back after missing sessions (as many as follow-up asks for)",
	             "brief-w-back");
	brief_people(f, d, s, pair_in, &last, 'E', "Finished the programme", "brief-w-ended");
	brief_people(f, d, s, pair_in, &last, 'W', "Withdrawn", "brief-w-withdrawn");
	fputs("</ul>\n<div class=\"fig\">\n" HTML_SCROLL("Last week in numbers")
	      "<table class=\"kpi\" id=\"brief-table\">\n"
	      "<caption>Last week in numbers</caption>\n<thead><tr><th scope=\"col\">Measure</th>",
	      f);
	fprintf(f, "<th scope=\"col\" class=\"num\">Last week<br>%s</th><th scope=\"col\" "
	           "class=\"num\">Week before<br>%s</th><th scope=\"col\" class=\"num\">Change</th>",
	        last.name, before.name);
	if (so_far)
		fprintf(f, "<th scope=\"col\" class=\"num\">This week so far<br>%s</th>", now.name);
	fputs("</tr></thead>\n<tbody>\n", f);
	brief_row(f, "held", "Sessions held", last.held, before.held, so_far, now.held);
	brief_row(f, "cancelled", "Sessions cancelled", last.cancelled, before.cancelled, so_far,
	          now.cancelled);
	brief_row(f, "came", "Came, of those expected", last.came, before.came, so_far, now.came);
	brief_row(f, "places", "Expected places", last.places, before.places, so_far, now.places);
	brief_row(f, "extras", "Extra attendances (not expected)", last.extras, before.extras,
	          so_far, now.extras);
	fputs("<tr id=\"brief-rate\"><th scope=\"row\">Attendance rate on expected sessions</th>",
	      f);
	html_pct(f, dash_percent(last.came, last.places));
	html_pct(f, dash_percent(before.came, before.places));
	{
		int a = dash_percent(last.came, last.places), b = dash_percent(before.came, before.places);
		if (a < 0 || b < 0)
			fputs("<td class=\"num\">&#8211;</td>", f);
		else
			fprintf(f, "<td class=\"num\">%s%d points</td>", a > b ? "+" : a < b ? "&#8722;" : "&#177;",
			        a > b ? a - b : b - a);
	}
	if (so_far)
		html_pct(f, dash_percent(now.came, now.places));
	fputs("</tr>\n", f);
	brief_row(f, "people", "People who came", last.people, before.people, so_far, now.people);
	brief_row(f, "starters", "New starters (enrolment began)", last.starters, before.starters,
	          so_far, now.starters);
	brief_row(f, "first", "Came for the first time", last.first, before.first, so_far, now.first);
	brief_row(f, "back", "Came back after an absence", last.back, before.back, so_far, now.back);
	brief_row(f, "ended", "Enrolments ended (programme finished)", last.ended, before.ended,
	          so_far, now.ended);
	brief_row(f, "withdrawn", "Withdrawn", last.withdrawn, before.withdrawn, so_far,
	          now.withdrawn);
	fputs("</tbody>\n</table></div>\n<div>\n", f);
	brief_register(f, d, pair_in, &last, before.fw, "brief-last",
	               "Last week's sessions");
	if (so_far)
		brief_register(f, d, pair_in, &now, last.fw, "brief-now",
		               "This week's sessions so far");
	fputs("</div>\n</div>\n<p class=\"note\">Came / expected: participants expected at the "
	      "session who came. Extra: others who came though not expected there. Came back: "
	      "attended after missing, in a row, as many expected sessions as puts someone on "
	      "the follow-up list.</p>\n",
	      f);
	html_section_end(f);
	free(people);
	free(pair_in);
}
