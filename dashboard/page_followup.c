/* page_followup.c - the peer mentors' list, by need: participants flagged
 * by the engagement table (missed run reached the programme's threshold,
 * still active), in bands, the newly lapsed (the calls most worth making)
 * first; each with where they last came, the sessions they usually come
 * to and their last 8 weeks, newest first. A call sheet per site
 * (printable, phone-sized) and its CSV; names only with --names.
 *
 * The list is compared with the previous run's, kept in the output folder
 * (followup-state.txt): who is new on it, who has left it and why. A
 * re-run on the same day compares with the same earlier run, so an
 * unchanged database still gives identical bytes. */
#include "calendar.h"
#include "dashboard.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FU_STRIP_WEEKS 8
#define FU_STATE "followup-state.txt"
#define FU_STATE_MAGIC "touchline-dashboard follow-up state 1"

/* From the run's facts (facts.c): the list is computed once. */
#define FU_SQL                                                                           \
	"SELECT e.code, e.name, e.programme, e.missed_run, e.last_attended, e.since,"        \
	" e.missed_at, e.last_site, e.sessions_attended, e.sessions_expected,"             \
	" e.followup_misses, e.usual, e.participant"                                       \
	" FROM temp.fact_followup e WHERE" DASH_FOLLOWUP_FACT_WHERE                        \
	" ORDER BY e.programme, e.code"

enum { FU_NEW, FU_LAPSING, FU_LOST, FU_NEVER, FU_BANDS };

static const char *const fu_band_name[FU_BANDS] = {
	"Newly lapsed", "Lapsing", "Long lost", "Never started"
};
static const char *const fu_band_id[FU_BANDS] = { "new", "lapsing", "lost", "never" };
static const char *const fu_band_says[FU_BANDS] = {
	("missed their last expected sessions, just enough to be flagged: the calls most worth "
	 "making now"),
	"missed more sessions than that, and last came within the last 4 weeks",
	"last came more than 4 weeks ago",
	"enrolled and expected, but have not come to a session yet",
};

struct fu_row {
	int band, person, missed, attended, expected;
	long days;                 /* since last attended */
	char *code, *name, *programme, *last, *last_site, *usual;
	int is_new;                /* not on the previous run's list */
};

struct fu_entry {
	char programme[DASH_ID_MAX], code[32], sites[512];
	char last[16];             /* last attended then, "-" for never */
};

/* The previous run's list (the baseline), as read before the site is
 * replaced, and this run's. */
static struct {
	char date[11];             /* "" when there is nothing to compare with */
	struct fu_entry *v;
	size_t n, cap;
} fu_base;

/* The band of a flagged participant: never came; newly lapsed (missed
 * run at most one past the programme's threshold); lapsing (last came
 * within 4 weeks); long lost. */
static int fu_band(const char *last, int missed, int misses, long days)
{
	if (!last[0])
		return FU_NEVER;
	if (missed <= misses + 1)
		return FU_NEW;
	return days <= 28 ? FU_LAPSING : FU_LOST;
}

static int fu_cmp(const void *a, const void *b)
{
	const struct fu_row *x = a, *y = b;
	int c;

	if (x->band != y->band)
		return x->band - y->band;
	if ((c = strcmp(y->last, x->last)) != 0) /* most recently seen first */
		return c;
	if (x->missed != y->missed)
		return x->missed - y->missed;
	if ((c = strcmp(x->programme, y->programme)) != 0)
		return c;
	return strcmp(x->code, y->code);
}

static char *fu_dup(const char *s)
{
	char *t = strdup(s ? s : "");
	if (!t)
		dash_fail("out of memory");
	return t;
}

static int fu_in_base(const char *programme, const char *code)
{
	for (size_t i = 0; i < fu_base.n; i++)
		if (strcmp(fu_base.v[i].programme, programme) == 0 && strcmp(fu_base.v[i].code, code) == 0)
			return 1;
	return 0;
}

/* The page's flagged participants, sorted by band. */
static struct fu_row *fu_load(struct dash *d, const struct dash_scope *s, int *n)
{
	sqlite3_stmt *st = dash_query(d, s, FU_SQL);
	struct fu_row *v = NULL;
	size_t cap = 0;
	int64_t today;

	tl_cal_parse(d->today, &today);
	*n = 0;
	while (dash_step(d, st)) {
		struct fu_row *r;
		int64_t day;
		if (tl_grow(&v, &cap, (size_t)*n, sizeof *v))
			dash_fail("out of memory");
		r = &v[(*n)++];
		memset(r, 0, sizeof *r);
		r->code = fu_dup(dash_text(st, 0));
		r->name = d->names && sqlite3_column_type(st, 1) != SQLITE_NULL ? fu_dup(dash_text(st, 1))
		                                                                  : NULL;
		r->programme = fu_dup(dash_text(st, 2));
		r->missed = sqlite3_column_int(st, 3);
		r->last = fu_dup(dash_text(st, 4));
		r->last_site = fu_dup(dash_text(st, 7));
		r->attended = sqlite3_column_int(st, 8);
		r->expected = sqlite3_column_int(st, 9);
		r->usual = fu_dup(dash_text(st, 11));
		r->person = facts_person_index(d, sqlite3_column_int64(st, 12));
		r->days = r->last[0] && !tl_cal_parse(r->last, &day) ? (long)(today - day) : -1;
		r->band = fu_band(r->last, r->missed, sqlite3_column_int(st, 10), r->days);
		r->is_new = fu_base.date[0] && !fu_in_base(r->programme, r->code);
	}
	sqlite3_finalize(st);
	if (*n > 1)
		qsort(v, (size_t)*n, sizeof *v, fu_cmp);
	return v;
}

static void fu_free(struct fu_row *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].name);
		free(v[i].programme);
		free(v[i].last);
		free(v[i].last_site);
		free(v[i].usual);
	}
	free(v);
}

/* The participant's last 8 ISO weeks, newest first: attended / expected
 * in the programme, "-" for a week without an expected session. With
 * html, each week a shaded cell that also says it in text. */
static void fu_strip(FILE *f, struct dash *d, const struct fu_row *r, int html)
{
	int64_t today;

	tl_cal_parse(d->today, &today);
	for (int i = 0; i < FU_STRIP_WEEKS; i++) {
		char week[TL_ISOWEEK_LEN];
		long a = 0, p = 0;
		int w;
		tl_cal_iso_week_format(today - 7 * i, week);
		w = facts_week(d, week);
		if (w >= 0 && r->person >= 0)
			facts_person_week(d, r->person, r->programme, w, &a, &p);
		if (!html) {
			if (p)
				fprintf(f, "%s%ld/%ld", i ? " " : "", a, p);
			else
				fprintf(f, "%s-", i ? " " : "");
			continue;
		}
		if (p)
			fprintf(f, "%s<span class=\"%s\" title=\"%s\">%ld/%ld</span>", i ? " " : "",
			        a == 0 ? "h-none" : a < p ? "h-part" : "h-all", week, a, p);
		else
			fprintf(f, "%s<span class=\"h-na\" title=\"%s\">&#8211;</span>", i ? " " : "", week);
	}
}

/* "2026-04-09 at Padiham" or "never". */
static void fu_last(FILE *f, const struct fu_row *r)
{
	char day[32];

	if (!r->last[0]) {
		fputs("never", f);
		return;
	}
	html_esc(f, dash_day(r->last, 0, day));
	if (r->last_site[0]) {
		fputs(" at ", f);
		html_esc(f, r->last_site);
	}
	fprintf(f, " <span class=\"note\">(%ld day%s ago)</span>", r->days, r->days == 1 ? "" : "s");
}

/* The banded tables; rows numbered from *num on (ids fu-N, or cs-N on a
 * call sheet). */
static void fu_tables(FILE *f, struct dash *d, const struct fu_row *v, int n, const char *prefix,
                      int sheet)
{
	int num = 0;

	for (int b = 0; b < FU_BANDS; b++) {
		int k = 0;
		for (int i = 0; i < n; i++)
			k += v[i].band == b;
		fprintf(f, "<h3 id=\"%s-band-%s\">%s: %d</h3>\n<p class=\"note\">%s.</p>\n", prefix,
		        fu_band_id[b], fu_band_name[b], k, fu_band_says[b]);
		if (!k)
			continue;
		fprintf(f, HTML_SCROLL("%s")
		           "<table class=\"sortable fu\" id=\"%s-%s\">\n<thead><tr><th scope=\"col\" "
		           "data-sort=\"text\">Participant</th>",
		        fu_band_name[b], prefix, fu_band_id[b]);
		if (d->names)
			fputs("<th scope=\"col\" data-sort=\"text\">Name</th>", f);
		fputs("<th scope=\"col\" data-sort=\"text\">Programme</th><th scope=\"col\" "
		      "class=\"num\" data-sort=\"num\">Missed in a row</th><th scope=\"col\" "
		      "data-sort=\"text\">Last came</th><th scope=\"col\">Usual sessions</th>"
		      "<th scope=\"col\">Last 8 weeks, newest first</th>",
		      f);
		if (sheet)
			fputs("<th scope=\"col\">Called? Notes</th>", f);
		fputs("</tr></thead>\n<tbody>\n", f);
		for (int i = 0; i < n; i++) {
			const struct fu_row *r = &v[i];
			if (r->band != b)
				continue;
			fprintf(f, "<tr id=\"%s-%d\"><th scope=\"row\">", prefix, ++num);
			html_esc(f, r->code);
			if (r->is_new)
				fputs(" <strong class=\"tag\">new</strong>", f);
			fputs("</th>", f);
			if (d->names) {
				fputs("<td>", f);
				html_esc(f, r->name ? r->name : "");
				fputs("</td>", f);
			}
			fputs("<td>", f);
			html_esc(f, r->programme);
			fprintf(f, "</td><td class=\"num\" data-v=\"%d\">%d</td><td data-v=\"%s\">",
			        r->missed, r->missed, r->last);
			fu_last(f, r);
			fputs("</td><td>", f);
			html_esc(f, r->usual);
			fputs("</td><td class=\"strip\">", f);
			fu_strip(f, d, r, 1);
			fputs("</td>", f);
			if (sheet)
				fputs("<td class=\"write\"></td>", f);
			fputs("</tr>\n", f);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}
}

/* Whether a baseline entry belongs to the page. */
static int fu_base_in(const struct dash_scope *s, const struct fu_entry *e)
{
	if (s->programme && strcmp(s->programme, e->programme) != 0)
		return 0;
	if (s->site) {
		size_t l = strlen(s->site);
		for (const char *p = e->sites; *p;) {
			if (strncmp(p, s->site, l) == 0 && (p[l] == ',' || p[l] == '\0'))
				return 1;
			p = strchr(p, ',');
			if (!p)
				break;
			p++;
		}
		return 0;
	}
	return 1;
}

/* The change since the previous run: who is new on the list, and who has
 * left it (came back, finished, withdrew). */
static void fu_changes(FILE *f, struct dash *d, const struct dash_scope *s,
                       const struct fu_row *v, int n, const char *prefix, int brief)
{
	sqlite3_stmt *st;
	int nnew = 0, left = 0;
	char day[32];

	if (!fu_base.date[0]) {
		fputs("<p class=\"note\">No earlier run of the dashboard to compare this list with: "
		      "the next run will say who is new on it and who came back.</p>\n",
		      f);
		return;
	}
	for (int i = 0; i < n; i++)
		nnew += v[i].is_new;
	fprintf(f, "<h3>Since the dashboard of %s</h3>\n<ul id=\"%s-changes\">\n<li id=\"%s-ch-new\">"
	           "New on the list: %d",
	        dash_day(fu_base.date, 1, day), prefix, prefix, nnew);
	if (brief) {
		for (size_t i = 0; i < fu_base.n; i++) {
			int still = 0;
			if (!fu_base_in(s, &fu_base.v[i]))
				continue;
			for (int j = 0; j < n && !still; j++)
				still = strcmp(v[j].code, fu_base.v[i].code) == 0 &&
				        strcmp(v[j].programme, fu_base.v[i].programme) == 0;
			left += !still;
		}
		fprintf(f, ".</li>\n<li id=\"%s-ch-left\">No longer on the list: %d (each site's "
		           "page says who, and whether they came back).</li>\n</ul>\n",
		        prefix, left);
		return;
	}
	for (int i = 0, k = 0; i < n; i++) {
		if (!v[i].is_new)
			continue;
		fputs(k++ ? ", " : " (", f);
		html_esc(f, v[i].code);
	}
	fputs(nnew ? ").</li>\n" : ".</li>\n", f);
	st = dash_query(d, s,
	                "SELECT e.last_attended, e.status FROM engagement e JOIN participant p"
	                " ON p.id = e.participant WHERE p.code = ?1 AND e.programme = ?2");
	for (size_t i = 0; i < fu_base.n; i++) {
		const struct fu_entry *e = &fu_base.v[i];
		int still = 0;
		if (!fu_base_in(s, e))
			continue;
		for (int j = 0; j < n && !still; j++)
			still = strcmp(v[j].code, e->code) == 0 && strcmp(v[j].programme, e->programme) == 0;
		if (still)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, e->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, e->programme, -1, SQLITE_STATIC);
		fprintf(f, "<li id=\"%s-ch-left-%d\">", prefix, ++left);
		html_esc(f, e->code);
		fputs(" (", f);
		html_esc(f, e->programme);
		fputs("): ", f);
		if (!dash_step(d, st)) {
			fputs("no longer in the programme.", f);
		} else {
			const char *last = dash_text(st, 0), *status = dash_text(st, 1);
			if (last[0] && (e->last[0] == '-' || strcmp(last, e->last) > 0)) {
				fputs("came back on ", f);
				html_esc(f, dash_day(last, 1, day));
				fputc('.', f);
			} else if (strcmp(status, "withdrawn") == 0) {
				fputs("withdrawn.", f);
			} else if (strcmp(status, "completed") == 0) {
				fputs("finished the programme.", f);
			} else {
				fputs("no longer flagged.", f);
			}
		}
		fputs("</li>\n", f);
	}
	sqlite3_finalize(st);
	if (!left)
		fprintf(f, "<li id=\"%s-ch-left-0\">Nobody has left the list.</li>\n", prefix);
	fputs("</ul>\n", f);
}

/* How many are flagged in a scope (a site's row of the split list). */
static long fu_count(struct dash *d, const struct dash_scope *s, void *arg)
{
	int n;
	struct fu_row *v = fu_load(d, s, &n);

	(void)arg;
	fu_free(v, n);
	return n;
}

void page_followup(FILE *f, struct dash *d, const struct dash_scope *s)
{
	int n;
	struct fu_row *v = fu_load(d, s, &n);

	html_section(f, "followup", "Follow-up");
	fprintf(f, "<p class=\"note\">Participants still enrolled who have missed their last "
	           "expected sessions in a row (as many as the programme's follow-up setting, 2 "
	           "by default): %d, for a peer mentor to get in touch with, those who lapsed "
	           "most recently first.</p>\n",
	        n);
	if (s->site)
		fprintf(f, "<p><a href=\"%s.html\">Call sheet for this site</a> (to print or "
		           "take on a phone) and <a href=\"%s.csv\">as a spreadsheet (CSV)"
		           "</a>.</p>\n",
		        s->sheet, s->sheet);
	else
		fputs("<p>Call sheets for each site (to print or take on a phone) are linked from the "
		      "site pages.</p>\n",
		      f);
	if (n > DASH_LIST_MAX && !s->site) {
		int k[FU_BANDS] = { 0 };
		for (int i = 0; i < n; i++)
			k[v[i].band]++;
		fputs("<ul class=\"words\" id=\"fu-bands\">\n", f);
		for (int b = 0; b < FU_BANDS; b++)
			fprintf(f, "<li id=\"fu-band-%s\">%s: %d %s.</li>\n", fu_band_id[b],
			        fu_band_name[b], k[b], fu_band_says[b]);
		fprintf(f, "</ul>\n<p id=\"fu-split\">%d people are too many for one page: each "
		           "site's page lists its own, with its call sheet.</p>\n",
		        n);
		html_site_links(f, d, s, "fu-sites", "Flagged for follow-up, site by site",
		                "Flagged", "followup", fu_count, NULL);
		fu_changes(f, d, s, v, n, "fu", 1);
	} else {
		fu_tables(f, d, v, n, "fu", 0);
		if (!n)
			fputs("<p>Nobody is flagged for follow-up.</p>\n", f);
		fu_changes(f, d, s, v, n, "fu", 0);
	}
	fu_free(v, n);
	html_section_end(f);
}

/* A CSV field, quoted when it needs to be, and never starting with a
 * character a spreadsheet would read as a formula. */
static void fu_csv(FILE *f, const char *s, int last)
{
	int formula = s[0] && strchr("=+-@\t", s[0]) != NULL;
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL;

	if (quote) {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void followup_callsheet(struct dash *d, const struct dash_scope *s, const char *site_name,
                        const struct dash_pages *pages)
{
	char name[DASH_ID_MAX + 48], csv[DASH_ID_MAX + 48], day[32];
	int n;
	struct fu_row *v = fu_load(d, s, &n);
	FILE *f;

	(void)pages;
	snprintf(name, sizeof name, "%s.html", s->sheet);
	snprintf(csv, sizeof csv, "%s.csv", s->sheet);
	f = site_open(d, name);
	html_doc_begin(f, "Call sheet", site_name, 1);
	fputs("<p class=\"noprint\"><a href=\"", f);
	html_esc(f, s->file);
	fputs("\">Back to the site's dashboard</a> &#183; <a href=\"", f);
	html_esc(f, csv);
	fputs("\">As a spreadsheet (CSV)</a></p>\n<header><p class=\"brand\">Touchline call sheet</p>"
	      "<h1>Call sheet: ",
	      f);
	html_esc(f, site_name);
	fprintf(f, "</h1>\n<p>%d participant%s to get in touch with, as of %s. Newly lapsed "
	           "first.</p></header>\n",
	        n, n == 1 ? "" : "s", dash_day(d->today, 1, day));
	if (d->names)
		fputs("<p class=\"banner\" role=\"note\">Internal coach view: this sheet shows "
		      "participant names. Do not share or forward it; shred it after use.</p>\n",
		      f);
	fputs("<main>\n", f);
	fu_tables(f, d, v, n, "cs", 1);
	if (!n)
		fputs("<p>Nobody is flagged for follow-up at this site.</p>\n", f);
	fu_changes(f, d, s, v, n, "cs", 0);
	fputs("</main>\n", f);
	html_doc_end(f);
	site_close(f, name);

	f = site_open(d, csv);
	fputs(d->names ? "band,participant,name,programme,missed_in_a_row,last_attended,"
	                 "last_site,usual_sessions,last_8_weeks_newest_first,new_on_list\n"
	               : "band,participant,programme,missed_in_a_row,last_attended,last_site,"
	                 "usual_sessions,last_8_weeks_newest_first,new_on_list\n",
	      f);
	for (int i = 0; i < n; i++) {
		char num[16], *strip = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&strip, &len);
		if (!m)
			dash_fail("out of memory");
		fu_strip(m, d, &v[i], 0);
		fclose(m);
		fu_csv(f, fu_band_name[v[i].band], 0);
		fu_csv(f, v[i].code, 0);
		if (d->names)
			fu_csv(f, v[i].name ? v[i].name : "", 0);
		fu_csv(f, v[i].programme, 0);
		snprintf(num, sizeof num, "%d", v[i].missed);
		fu_csv(f, num, 0);
		fu_csv(f, v[i].last, 0);
		fu_csv(f, v[i].last_site, 0);
		fu_csv(f, v[i].usual, 0);
		fu_csv(f, strip ? strip : "", 0);
		fu_csv(f, !fu_base.date[0] ? "" : v[i].is_new ? "yes" : "no", 1);
		free(strip);
	}
	site_close(f, csv);
	fu_free(v, n);
}

/* One "X programme code sites" line of the state file into fu_base. */
static void fu_state_add(const char *line)
{
	struct fu_entry e;

	memset(&e, 0, sizeof e);
	if (sscanf(line, "%63s %31s %511s %15s", e.programme, e.code, e.sites, e.last) < 4)
		return;
	if (tl_grow(&fu_base.v, &fu_base.cap, fu_base.n, sizeof *fu_base.v))
		dash_fail("out of memory");
	fu_base.v[fu_base.n++] = e;
}

void followup_state_read(struct dash *d, const char *out)
{
	char path[DASH_PATH_MAX + 64], line[700], today[16] = "", base[16] = "";
	FILE *f;
	int same;

	snprintf(path, sizeof path, "%s/" FU_STATE, out);
	if (!(f = fopen(path, "r")))
		return; /* a first run, or an older dashboard: nothing to compare with */
	if (!fgets(line, sizeof line, f) || strncmp(line, FU_STATE_MAGIC, strlen(FU_STATE_MAGIC)) ||
	    !fgets(line, sizeof line, f) || sscanf(line, "today %10s", today) != 1 ||
	    !fgets(line, sizeof line, f) || sscanf(line, "baseline %10s", base) != 1) {
		fclose(f);
		return;
	}
	/* Re-run on the same day: the same baseline as that run. A run for a
	 * later day: that run's list. For an earlier day: nothing. */
	same = strcmp(today, d->today) == 0;
	if (same ? strcmp(base, "none") == 0 : strcmp(today, d->today) > 0) {
		fclose(f);
		return;
	}
	snprintf(fu_base.date, sizeof fu_base.date, "%.10s", same ? base : today);
	while (fgets(line, sizeof line, f))
		if (line[0] == (same ? 'B' : 'C') && line[1] == ' ')
			fu_state_add(line + 2);
	fclose(f);
}

void followup_state_write(struct dash *d)
{
	FILE *f = site_open(d, FU_STATE);
	sqlite3_stmt *st = dash_query(
		d, NULL,
		"SELECT e.programme, e.code, (SELECT group_concat(x.site, ',') FROM"
		" (SELECT site FROM temp.fact_followup_site x WHERE x.participant = e.participant"
		" AND x.programme = e.programme ORDER BY site) x), e.last_attended"
		" FROM temp.fact_followup e"
		" WHERE e.code IS NOT NULL ORDER BY e.programme, e.code");

	fprintf(f, "%s\ntoday %s\nbaseline %s\n", FU_STATE_MAGIC, d->today,
	        fu_base.date[0] ? fu_base.date : "none");
	for (size_t i = 0; i < fu_base.n; i++)
		fprintf(f, "B %s %s %s %s\n", fu_base.v[i].programme, fu_base.v[i].code,
		        fu_base.v[i].sites[0] ? fu_base.v[i].sites : "-", fu_base.v[i].last);
	while (dash_step(d, st))
		fprintf(f, "C %s %s %s %s\n", dash_text(st, 0), dash_text(st, 1),
		        dash_text(st, 2)[0] ? dash_text(st, 2) : "-",
		        dash_text(st, 3)[0] ? dash_text(st, 3) : "-");
	sqlite3_finalize(st);
	site_close(f, FU_STATE);
	free(fu_base.v);
	memset(&fu_base, 0, sizeof fu_base);
	(void)errno;
}
