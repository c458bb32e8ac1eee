/* rules.c - see rules.h; docs/programme.md says the same in words. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the comma-separated list holds item exactly. */
static int rules_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, item, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* The next live session at the same site bounds a session's check-out:
 * its taps from that start on belong to it. Sessions sorted by (site,
 * start, id); sessions starting together do not bound each other. */
void tl_rules_site_windows(struct tl_session *s, size_t n, const struct tl_programme *p)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = i + 1;

		s[i].co_hi = s[i].end + p[s[i].prog].grace;
		s[i].overlap = 0;
		while (k < n && strcmp(s[k].site, s[i].site) == 0 && s[k].start == s[i].start)
			k++;
		if (k < n && strcmp(s[k].site, s[i].site) == 0) {
			if (s[k].start - 1 < s[i].co_hi)
				s[i].co_hi = s[k].start - 1;
			s[i].overlap = s[k].win_lo <= s[i].co_hi;
		}
	}
}

int tl_rules_eligible(const struct tl_enrolment *e, const struct tl_session *s, int64_t as_of)
{
	return s->day >= e->start && s->day <= e->end && s->day < e->withdrawn &&
	       s->win_lo <= as_of;
}

int tl_rules_expected(const struct tl_enrolment *e, const struct tl_session *s)
{
	const struct tl_expect *x = NULL;
	char id[24];

	for (size_t i = 0; i < e->nx && e->x[i].from <= s->day; i++)
		x = &e->x[i];
	if (!s->schedule && s->expected_of_none)
		return 0;
	if (!x || (!x->sites && !x->schedules))
		return 1;
	if (x->sites)
		return rules_list_has(x->sites, s->site);
	if (!s->schedule)
		return rules_list_has(x->oneoff_sites, s->site);
	snprintf(id, sizeof id, "%lld", (long long)s->schedule);
	return rules_list_has(x->schedules, id);
}

int tl_rules_programme_week(const struct tl_enrolment *e, const struct tl_session *s)
{
	return (int)((s->day - e->start) / 7 + 1);
}

int tl_rules_cand_cmp(const void *x, const void *y)
{
	const struct tl_cand *a = x, *b = y;

	if (a->s->start != b->s->start)
		return a->s->start < b->s->start ? -1 : 1;
	if (a->expected != b->expected)
		return a->expected ? -1 : 1;
	return (a->s->id > b->s->id) - (a->s->id < b->s->id);
}

int64_t tl_rules_cand_hi(const struct tl_session *s)
{
	return s->co_hi > s->win_hi ? s->co_hi : s->win_hi;
}

/* Per candidate in order: check-in is the first free tap at the site in
 * the check-in window; check-out the last free tap there at least gap
 * after the check-in, after the start and by co_hi (the first one when
 * the next session's window is already open). Free taps at the site
 * between the check-in and the check-out (or co_hi) are duplicates. */
void tl_rules_match(struct tl_cand *c, size_t nc, struct tl_match_tap *t, size_t nt)
{
	for (size_t i = 0; i < nc; i++) {
		const struct tl_session *s = c[i].s;
		long ci = -1, co = -1;

		c[i].ci = c[i].co = -1;
		for (size_t j = 0; j < nt && ci < 0; j++) {
			if (t[j].ts > s->win_hi)
				break;
			if (t[j].state == TL_TAP_FREE && t[j].ts >= s->win_lo &&
			    strcmp(t[j].site, s->site) == 0)
				ci = (long)j;
		}
		if (ci < 0)
			continue;
		t[ci].state = TL_TAP_USED;
		for (size_t j = (size_t)ci + 1; j < nt; j++) {
			if (t[j].ts > s->co_hi)
				break;
			if (t[j].state != TL_TAP_FREE || strcmp(t[j].site, s->site) != 0 ||
			    t[j].ts < t[ci].ts + s->gap || t[j].ts <= s->start)
				continue;
			co = (long)j;
			if (s->overlap)
				break;
		}
		c[i].ci = ci;
		c[i].co = co;
		if (co >= 0)
			t[co].state = TL_TAP_USED;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct tl_session *s = c[i].s;
		int64_t hi;

		if (c[i].ci < 0)
			continue;
		hi = c[i].co >= 0 ? t[c[i].co].ts : s->co_hi;
		for (size_t j = (size_t)c[i].ci; j < nt && t[j].ts <= hi; j++)
			if (t[j].state == TL_TAP_FREE && strcmp(t[j].site, s->site) == 0)
				t[j].state = TL_TAP_DUPLICATE;
	}
}

int tl_rules_attended(const struct tl_cand *c)
{
	return c->ci >= 0 || c->marked;
}

long tl_rules_minutes(const struct tl_cand *c, const struct tl_match_tap *t, int *estimated)
{
	int64_t lo, hi;

	*estimated = 0;
	if (c->marked && c->mark_minutes >= 0)
		return c->mark_minutes;
	if (c->ci < 0 && !c->marked)
		return 0;
	if (c->ci < 0) {
		*estimated = 1;
		return (long)((c->s->end - c->s->start) / 60);
	}
	if (c->co < 0) {
		*estimated = 1;
		return (long)((c->s->end - c->s->start) / 60);
	}
	lo = t[c->ci].ts > c->s->start ? t[c->ci].ts : c->s->start;
	hi = t[c->co].ts < c->s->end ? t[c->co].ts : c->s->end;
	return hi > lo ? (long)((hi - lo) / 60) : 0;
}

long tl_moderate_equivalent(long moderate_minutes, long vigorous_minutes)
{
	return moderate_minutes + 2 * vigorous_minutes;
}

const char *tl_minutes_band(long mem)
{
	if (mem < TL_BAND_LOW_MIN)
		return "<30";
	if (mem < TL_BAND_HIGH_MIN)
		return "30-149";
	return "150+";
}

const char *tl_rules_status(const struct tl_enrolment *e, int64_t today)
{
	if (e->withdrawn <= today)
		return "withdrawn";
	if (e->start > today)
		return "not_started";
	if (e->end < today)
		return "completed";
	return "active";
}

int tl_rules_followup(const struct tl_programme *p, const char *status, long missed_run,
                      int erased)
{
	return missed_run >= p->followup_misses && strcmp(status, "active") == 0 && !erased;
}

static int rules_str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void tl_rules_engagement(const struct tl_row *r, size_t n, int64_t as_of,
                         struct tl_engagement *out, const char **scratch)
{
	int64_t last_start = INT64_MIN;
	size_t nw = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		out->expected += r[i].expected;
		if (!r[i].attended)
			continue;
		if (r[i].expected)
			out->attended++;
		else
			out->extra++;
		if (r[i].s->start > last_start)
			last_start = r[i].s->start;
		if (!out->last_attended || strcmp(r[i].s->local_date, out->last_attended) > 0)
			out->last_attended = r[i].s->local_date;
		scratch[nw++] = r[i].s->iso_week;
	}
	for (size_t i = 0; i < n; i++)
		out->missed_run += r[i].expected && !r[i].attended && r[i].s->end <= as_of &&
		                   r[i].s->start > last_start;
	qsort(scratch, nw, sizeof *scratch, rules_str_cmp);
	for (size_t k = 0; k < nw; k++)
		out->weeks += k == 0 || strcmp(scratch[k], scratch[k - 1]) != 0;
}

void tl_rules_week(const struct tl_row *const *rows, size_t n, struct tl_week *out)
{
	const char *last_strength = NULL;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const struct tl_row *r = rows[i];
		if (!out->week_start || strcmp(r->s->week_start, out->week_start) < 0)
			out->week_start = r->s->week_start;
		out->expected += r->expected;
		out->attended += r->expected && r->attended;
		out->extra += !r->expected && r->attended;
		out->minutes += r->minutes;
		if (r->s->intensity == TL_VIGOROUS)
			out->vigorous += r->minutes;
		else
			out->moderate += r->minutes;
		if (r->estimated)
			out->estimated_minutes += r->minutes;
		out->met_minutes += (double)r->minutes * r->s->met;
		if (r->attended && r->s->strength &&
		    (!last_strength || strcmp(last_strength, r->s->local_date) != 0)) {
			out->strength_days++;
			last_strength = r->s->local_date;
		}
	}
}
