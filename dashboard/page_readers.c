/* page_readers.c - each reader's state as its last status said, so a lead
 * sees a dead reader before a session rather than after it. */
#include "calendar.h"
#include "dashboard.h"
#include "grow.h"
#include "protocol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* By how many whole minutes a clock is off, rounded up, as every page
 * says it. */
static long long readers_clock_minutes(long long off)
{
	return (llabs(off) + 59) / 60;
}

/* The reader's clock against the collector's, from its last status: a
 * clock off by more than TL_CLOCK_TOLERANCE stamps taps into the wrong
 * session (docs/protocol.md, "Clocks"), so it says so in words. */
static void page_readers_clock(FILE *f, sqlite3_stmt *st, int col)
{
	long long off;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		fputs("<td class=\"num\" data-v=\"0\">&#8211;</td>", f);
		return;
	}
	off = sqlite3_column_int64(st, col);
	if (tl_clock_off(off))
		fprintf(f, "<td class=\"num clock-off\" data-v=\"%lld\"><strong>%+lld s: "
		           "clock off</strong></td>", off < 0 ? -off : off, off);
	else
		fprintf(f, "<td class=\"num\" data-v=\"%lld\">%+lld s</td>", off < 0 ? -off : off,
		        off);
}

/* What to do about a reader, in words, from its last report: the first
 * problem that stops taps arriving, or that puts them in the wrong
 * session, or "nothing". */
static void page_readers_todo(FILE *f, struct dash *d, sqlite3_stmt *st)
{
	const char *state = dash_text(st, 3);
	char when[48];

	fputs("<td>", f);
	if (strcmp(state, "offline") == 0) {
		fprintf(f, "<strong>Not heard from since %s</strong>: check it is plugged in and has "
		           "signal. Taps made meanwhile are kept on it and sent when it is back.",
		        dash_when_col(d, st, 4, when));
	} else if (sqlite3_column_type(st, 8) != SQLITE_NULL &&
	           tl_clock_off(sqlite3_column_int64(st, 8))) {
		long long off = sqlite3_column_int64(st, 8);
		fprintf(f, "<strong>Its clock is %lld min %s</strong>: restart it with a network "
		           "connection so it sets its clock; until then its taps may count for the "
		           "wrong session.",
		        readers_clock_minutes(off), off < 0 ? "slow" : "fast");
	} else if (strcmp(state, "online") != 0) {
		fputs("Never heard from: check it is set up with this site&#39;s details, switched "
		      "on and in signal.", f);
	} else if (sqlite3_column_int64(st, 5) > 0) {
		fprintf(f, "%lld taps still to send: keep it switched on and connected until they "
		           "are sent.", sqlite3_column_int64(st, 5));
	} else {
		fputs("Nothing: working.", f);
	}
	fputs("</td>", f);
}

void page_readers(FILE *f, struct dash *d, const struct dash_scope *s)
{
	sqlite3_stmt *st = dash_query(
		d, s,
		"SELECT r.site, coalesce(nullif(t.name, ''), r.site), r.id, r.state, r.last_seen,"
		" r.spooled, r.last_tap, r.version, r.clock_offset"
		" FROM reader r JOIN site t ON t.id = r.site"
		" WHERE" DASH_READER_WHERE " ORDER BY r.site, r.id");
	int n = 0;

	html_section(f, "readers", "Readers");
	fputs("<p class=\"note\">As the readers last reported, whatever the week shown, with what "
	      "to do about each. <em>Waiting to send</em>: taps kept on the reader (its spool) "
	      "until the collector has them.</p>\n"
	      HTML_SCROLL("Readers") "<table class=\"sortable\" id=\"readers-table\">\n<thead><tr>"
	      "<th scope=\"col\" data-sort=\"text\">Site</th><th scope=\"col\" data-sort=\"text\">"
	      "Reader</th><th scope=\"col\" data-sort=\"text\">State</th><th scope=\"col\" "
	      "data-sort=\"text\">What to do</th><th scope=\"col\" data-sort=\"text\">Last heard "
	      "from</th><th scope=\"col\" class=\"num\" data-sort=\"num\">Waiting to send</th>"
	      "<th scope=\"col\" data-sort=\"text\">Last tap</th>"
	      "<th scope=\"col\" class=\"num\" data-sort=\"num\">Clock</th>"
	      "<th scope=\"col\" data-sort=\"text\">Version</th></tr></thead>\n<tbody>\n",
	      f);
	while (dash_step(d, st)) {
		char seen[48], tap[48];
		const char *state = dash_text(st, 3);
		int never = strcmp(state, "online") != 0 && strcmp(state, "offline") != 0;
		fprintf(f, "<tr id=\"reader-%d\"><td>", n + 1);
		html_esc(f, dash_text(st, 1));
		fputs("</td><th scope=\"row\">", f);
		html_esc(f, dash_text(st, 2));
		fprintf(f, "</th><td class=\"state-%s\">%s</td>",
		        never ? "never" : strcmp(state, "online") == 0 ? "online" : "offline",
		        never                        ? "never seen"
		        : strcmp(state, "online") == 0 ? "&#9679; online"
		                                       : "&#9675; OFFLINE");
		page_readers_todo(f, d, st);
		fprintf(f, "<td data-v=\"%lld\">%s</td>", sqlite3_column_int64(st, 4),
		        dash_when_col(d, st, 4, seen));
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			fputs("<td class=\"num\" data-v=\"-1\">&#8211;</td>", f);
		else
			fprintf(f, "<td class=\"num\">%lld</td>", sqlite3_column_int64(st, 5));
		fprintf(f, "<td data-v=\"%lld\">%s</td>", sqlite3_column_int64(st, 6),
		        dash_when_col(d, st, 6, tap));
		page_readers_clock(f, st, 8);
		fputs("<td>", f);
		html_esc(f, dash_text(st, 7));
		fputs("</td></tr>\n", f);
		n++;
	}
	sqlite3_finalize(st);
	fputs("</tbody>\n</table></div>\n", f);
	if (!n)
		fputs("<p>No readers registered here.</p>\n", f);
	html_section_end(f);
}

/* A reader problem now: offline (since its last message) or its clock
 * off (since it was measured), as last reported. */
struct reader_mark {
	char site[DASH_ID_MAX], id[DASH_ID_MAX], since[11];
	int offline;
	long long offset;
};

static struct reader_mark *reader_marks;
static int reader_nmarks = -1;

/* The marks, read once for the run (the readers table is small). */
static void readers_marks_load(struct dash *d)
{
	sqlite3_stmt *st;
	size_t cap = 0;

	if (reader_nmarks >= 0)
		return;
	reader_nmarks = 0;
	st = dash_query(d, NULL,
	                "SELECT r.site, r.id, r.state = 'offline', r.last_seen,"
	                " r.clock_offset, r.clock_at FROM reader r"
	                " WHERE (r.state = 'offline' AND r.last_seen IS NOT NULL)"
	                " OR abs(r.clock_offset) > :tol ORDER BY r.site, r.id");
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":tol"), TL_CLOCK_TOLERANCE);
	while (dash_step(d, st)) {
		struct reader_mark *m;
		int off = sqlite3_column_type(st, 4) != SQLITE_NULL &&
		          tl_clock_off(sqlite3_column_int64(st, 4));
		for (int k = 0; k < 2; k++) {
			char since[TL_DATE_LEN] = "";
			if (k ? !off : !sqlite3_column_int(st, 2))
				continue;
			if (sqlite3_column_type(st, k ? 5 : 3) != SQLITE_NULL)
				dash_local_date(d, sqlite3_column_int64(st, k ? 5 : 3), since);
			if (tl_grow(&reader_marks, &cap, (size_t)reader_nmarks, sizeof *reader_marks))
				dash_fail("out of memory");
			m = &reader_marks[reader_nmarks++];
			memset(m, 0, sizeof *m);
			snprintf(m->site, sizeof m->site, "%s", dash_text(st, 0));
			snprintf(m->id, sizeof m->id, "%s", dash_text(st, 1));
			snprintf(m->since, sizeof m->since, "%s", since);
			m->offline = !k;
			m->offset = sqlite3_column_int64(st, 4);
		}
	}
	sqlite3_finalize(st);
}

void readers_marks(FILE *f, struct dash *d, const char *site)
{
	int n = 0;
	char day[32];

	readers_marks_load(d);
	for (int i = 0; i < reader_nmarks; i++) {
		const struct reader_mark *m = &reader_marks[i];
		if (strcmp(site, m->site) != 0)
			continue;
		fputs(n++ ? "; " : "<span class=\"mark\">&#9888; ", f);
		html_esc(f, m->id);
		if (m->offline)
			fprintf(f, " offline since %s", dash_day(m->since, 0, day));
		else
			fprintf(f, " clock %s by %lld min", m->offset < 0 ? "slow" : "fast",
			        readers_clock_minutes(m->offset));
	}
	if (n)
		fputs("</span>", f);
}

/* A reader's problems during the sessions of one pair and facts week:
 * how many sessions a stretch of reader_problem overlapped, and for a
 * clock the worst offset. */
struct reader_hit {
	int pair, week, kind;      /* kind 0 offline, 1 clock */
	char reader[DASH_ID_MAX];
	long sessions;
	long long worst;
};

static struct reader_hit *reader_hits; /* by week, then pair, reader, kind */
static long reader_nhits = -1, *reader_week_first;

/* The same per session: each reader and kind that touched it. */
struct reader_touch {
	int session, kind;
	char reader[DASH_ID_MAX];
	long long worst;
};
static struct reader_touch *reader_touches; /* by session */
static long reader_ntouches;

static int readers_touch_cmp(const void *a, const void *b)
{
	const struct reader_touch *x = a, *y = b;
	int c;
	if (x->session != y->session)
		return x->session < y->session ? -1 : 1;
	if ((c = strcmp(x->reader, y->reader)) != 0)
		return c;
	return x->kind - y->kind;
}

static int readers_hit_cmp(const void *a, const void *b)
{
	const struct reader_hit *x = a, *y = b;
	int c;
	if (x->week != y->week)
		return x->week < y->week ? -1 : 1;
	if (x->pair != y->pair)
		return x->pair < y->pair ? -1 : 1;
	if ((c = strcmp(x->reader, y->reader)) != 0)
		return c;
	return x->kind - y->kind;
}

/* The run's sessions held up to --today, by site and start. */
static const struct dash_facts *readers_sort_facts;
static int readers_session_cmp(const void *a, const void *b)
{
	const struct dash_session *x = &readers_sort_facts->session[*(const int *)a];
	const struct dash_session *y = &readers_sort_facts->session[*(const int *)b];
	int c = strcmp(readers_sort_facts->pairs.v[x->pair][1], readers_sort_facts->pairs.v[y->pair][1]);
	if (c)
		return c;
	return x->start_ts < y->start_ts ? -1 : x->start_ts > y->start_ts;
}

/* Every stretch of reader_problem against the sessions it overlapped
 * (a session from start to end, a stretch from start to end or, while
 * it lasts, on), read once for the run: the stretches are few (a reader
 * keeps at most a few thousand) and each finds its site's sessions by
 * binary search. */
static void readers_hits_load(struct dash *d)
{
	const struct dash_facts *x = &d->facts;
	int *order = malloc(((size_t)x->nsessions + 1) * sizeof *order), n = 0, group = 0;
	/* stamp[i]: the last reader and kind (a group number) that counted
	 * session i, so two stretches in one session count it once */
	int *stamp = calloc((size_t)x->nsessions + 1, sizeof *stamp);
	char key[3 * DASH_ID_MAX] = "";
	int64_t longest = 0;
	size_t cap = 0, tcap = 0;
	sqlite3_stmt *st;

	reader_nhits = 0;
	reader_week_first = calloc((size_t)x->weeks.n + 2, sizeof *reader_week_first);
	if (!order || !stamp || !reader_week_first)
		dash_fail("out of memory");
	for (int i = 0; i < x->nsessions; i++)
		if (!x->session[i].cancelled && strcmp(x->session[i].date, d->today) <= 0) {
			order[n++] = i;
			if (x->session[i].end_ts - x->session[i].start_ts > longest)
				longest = x->session[i].end_ts - x->session[i].start_ts;
		}
	readers_sort_facts = x;
	qsort(order, (size_t)n, sizeof *order, readers_session_cmp);
	st = dash_query(d, NULL,
	                "SELECT site, reader, kind = 'clock', start_at, end_at, worst"
	                " FROM reader_problem ORDER BY site, reader, kind, start_at");
	while (dash_step(d, st)) {
		const char *site = dash_text(st, 0);
		int kind = sqlite3_column_int(st, 2), lo = 0, hi = n;
		int64_t from = sqlite3_column_int64(st, 3);
		int64_t to = sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MAX
		                                                       : sqlite3_column_int64(st, 4);
		char this[3 * DASH_ID_MAX];
		snprintf(this, sizeof this, "%s/%s/%d", site, dash_text(st, 1), kind);
		if (strcmp(this, key) != 0) {
			memcpy(key, this, sizeof key);
			group++;
		}
		/* the first session of the site starting after from - longest */
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			const struct dash_session *m = &x->session[order[mid]];
			int c = strcmp(x->pairs.v[m->pair][1], site);
			if (c < 0 || (c == 0 && m->start_ts < from - longest))
				lo = mid + 1;
			else
				hi = mid;
		}
		for (int i = lo; i < n; i++) {
			const struct dash_session *ses = &x->session[order[i]];
			struct reader_hit *h = reader_nhits ? &reader_hits[reader_nhits - 1] : NULL;
			if (strcmp(x->pairs.v[ses->pair][1], site) != 0 || ses->start_ts >= to)
				break;
			if (ses->end_ts <= from)
				continue;
			if (!h || h->pair != ses->pair || h->week != ses->week || h->kind != kind ||
			    strcmp(h->reader, dash_text(st, 1)) != 0) {
				/* the stretches of one reader and kind come in order, and
				 * so do their sessions: a hit continues the last one or is
				 * new (a session of another pair between them makes a
				 * second hit of the same key, merged when shown) */
				if (tl_grow(&reader_hits, &cap, (size_t)reader_nhits, sizeof *reader_hits))
					dash_fail("out of memory");
				h = &reader_hits[reader_nhits++];
				memset(h, 0, sizeof *h);
				h->pair = ses->pair;
				h->week = ses->week;
				h->kind = kind;
				snprintf(h->reader, sizeof h->reader, "%s", dash_text(st, 1));
			}
			if (stamp[order[i]] != group) {
				h->sessions++;
				stamp[order[i]] = group;
				if (tl_grow(&reader_touches, &tcap, (size_t)reader_ntouches,
				            sizeof *reader_touches))
					dash_fail("out of memory");
				reader_touches[reader_ntouches].session = order[i];
				reader_touches[reader_ntouches].kind = kind;
				reader_touches[reader_ntouches].worst = 0;
				snprintf(reader_touches[reader_ntouches].reader, DASH_ID_MAX, "%s",
				         dash_text(st, 1));
				reader_ntouches++;
			}
			if (kind && sqlite3_column_type(st, 5) != SQLITE_NULL &&
			    llabs(sqlite3_column_int64(st, 5)) > llabs(reader_touches[reader_ntouches - 1].worst))
				reader_touches[reader_ntouches - 1].worst = sqlite3_column_int64(st, 5);
			if (kind && sqlite3_column_type(st, 5) != SQLITE_NULL &&
			    llabs(sqlite3_column_int64(st, 5)) > llabs(h->worst))
				h->worst = sqlite3_column_int64(st, 5);
		}
	}
	sqlite3_finalize(st);
	free(order);
	free(stamp);
	if (reader_nhits)
		qsort(reader_hits, (size_t)reader_nhits, sizeof *reader_hits, readers_hit_cmp);
	if (reader_ntouches)
		qsort(reader_touches, (size_t)reader_ntouches, sizeof *reader_touches,
		      readers_touch_cmp);
	for (long i = reader_nhits - 1; i >= 0; i--)
		reader_week_first[reader_hits[i].week] = i + 1;
	/* reader_week_first[w]: 1 + the first hit of week w, 0 for none */
}

int readers_week_marks(FILE *f, struct dash *d, const char *pair_in, int week)
{
	const struct dash_facts *x = &d->facts;
	struct reader_hit *sum = NULL;
	size_t cap = 0;
	int n = 0;

	if (reader_nhits < 0)
		readers_hits_load(d);
	if (week < 0 || week >= x->weeks.n || !reader_week_first[week])
		return 0;
	/* one line per site, reader and kind over the scope's pairs */
	for (long i = reader_week_first[week] - 1; i < reader_nhits && reader_hits[i].week == week;
	     i++) {
		const struct reader_hit *h = &reader_hits[i];
		int k;
		if (!pair_in[h->pair])
			continue;
		for (k = 0; k < n; k++)
			if (sum[k].kind == h->kind && strcmp(sum[k].reader, h->reader) == 0 &&
			    strcmp(x->pairs.v[sum[k].pair][1], x->pairs.v[h->pair][1]) == 0)
				break;
		if (k == n) {
			if (tl_grow(&sum, &cap, (size_t)n, sizeof *sum))
				dash_fail("out of memory");
			sum[n] = *h;
			sum[n++].sessions = 0;
		}
		sum[k].sessions += h->sessions;
		if (llabs(h->worst) > llabs(sum[k].worst))
			sum[k].worst = h->worst;
	}
	for (int k = 0; f && k < n; k++) {
		int j = facts_pair_site(d, sum[k].pair);
		fputs(k ? "; " : "<span class=\"mark\">&#9888; ", f);
		html_esc(f, sum[k].reader);
		fputs(" at ", f);
		html_esc(f, j < 0 ? x->pairs.v[sum[k].pair][1] : x->sites.v[j][1]);
		if (sum[k].kind)
			fprintf(f, " clock %s by %lld min", sum[k].worst < 0 ? "slow" : "fast",
			        readers_clock_minutes(sum[k].worst));
		else
			fputs(" offline", f);
		fprintf(f, " during %ld session%s", sum[k].sessions, sum[k].sessions == 1 ? "" : "s");
	}
	if (f && n)
		fputs("</span>", f);
	free(sum);
	return n;
}

int readers_session_marks(FILE *f, struct dash *d, int session)
{
	long lo = 0, hi;
	int n = 0;

	if (reader_nhits < 0)
		readers_hits_load(d);
	hi = reader_ntouches;
	while (lo < hi) {
		long mid = (lo + hi) / 2;
		if (reader_touches[mid].session < session)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < reader_ntouches && reader_touches[lo].session == session; lo++, n++) {
		const struct reader_touch *t = &reader_touches[lo];
		if (!f)
			continue;
		fputs(n ? "; " : "<span class=\"mark\">&#9888; ", f);
		fputs("reader ", f);
		html_esc(f, t->reader);
		if (t->kind)
			fprintf(f, " had its clock %lld min %s", readers_clock_minutes(t->worst),
			        t->worst < 0 ? "slow" : "fast");
		else
			fputs(" was offline", f);
	}
	if (f && n)
		fputs(" during it</span>", f);
	return n;
}
