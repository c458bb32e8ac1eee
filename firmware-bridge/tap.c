/* tap.c - the tap path, the same for every reader driver: a UID comes in,
 * a spooled, published tap and a feedback entry come out. */
#include "bridge.h"
#include "log.h"
#include "tl_time.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Feedback entries kept for follow-up lines; older ones are forgotten
 * (their taps stay in the spool; only the follow-up line is lost). */
#define TAP_PENDING_MAX 1000

/* A tap stamped by a clock that was never set would only be rejected
 * (ts_implausible): hold it while the clock is still unset; once it is
 * set, spool_due re-times taps of this boot, and taps of an earlier boot
 * that cannot be re-timed are sent as they are (the collector keeps them
 * in its dead-letter table). */
int tap_sendable(const struct tl_tap *tap)
{
	return tap->ts >= TL_MIN_TS || (int64_t)time(NULL) >= TL_MIN_TS;
}

/* Tap ids are random (tl_random), so readers never need to coordinate. */
int tap_uuid(char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[16];
	int o = 0;

	if (tl_random(r, sizeof r))
		return -1;
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[r[i] >> 4];
		out[o++] = hex[r[i] & 15];
	}
	out[o] = '\0';
	return 0;
}

/* True if this UID was seen less than the debounce ago. The time seen is
 * refreshed either way, so a card held on the reader (seen again and again)
 * stays one tap however long it is held. Called with b->lock held. */
static int tap_bounce(struct bridge *b, const uint8_t *uid, size_t uidlen, int64_t now)
{
	int slot = 0, same = 0;

	for (int i = 0; i < BRIDGE_RECENT; i++) {
		if (b->recent[i].len == uidlen && memcmp(b->recent[i].uid, uid, uidlen) == 0) {
			slot = i;
			same = now - b->recent[i].seen_ms < b->cfg.debounce * 1000;
			break;
		}
		if (b->recent[i].seen_ms < b->recent[slot].seen_ms)
			slot = i;
	}
	memcpy(b->recent[slot].uid, uid, uidlen);
	b->recent[slot].len = uidlen;
	b->recent[slot].seen_ms = now;
	return same;
}

/* Adds the tap to the feedback list, dropping the oldest when full. */
static void tap_pend(struct bridge *b, const struct tl_tap *tap, int64_t now, int sent)
{
	struct pending *p = calloc(1, sizeof *p), **tail;

	if (!p) {
		tl_error("out of memory: no feedback for tap %s", tap->id);
		return;
	}
	memcpy(p->id, tap->id, sizeof p->id);
	p->ts = tap->ts;
	p->deadline_ms = now + b->cfg.ack_wait;
	p->unsent = !sent;
	p->sent_ms = sent ? now : 0;
	p->random = tap->random;
	for (tail = &b->pending; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	if (++b->npending > TAP_PENDING_MAX) {
		struct pending *old = b->pending;
		b->pending = old->next;
		b->npending--;
		free(old);
	}
}

/* Logs what the spool bound made us drop; never silent. */
static void tap_log_eviction(struct bridge *b, enum spool_evict e, const struct tl_tap *v)
{
	char ts[TL_TIME_LEN];

	if (e == SPOOL_KEPT_ALL)
		return;
	tl_time_format(v->ts, ts);
	if (e == SPOOL_EVICT_REPEAT)
		tl_warn("spool full (%ld taps): dropped tap %s (seq %lld, card %s, %s), a repeat of "
		        "an earlier tap of that card the same day",
		        b->cfg.spool_max, v->id, (long long)v->seq, v->card, ts);
	else
		tl_error("spool full (%ld taps) and no repeats to drop: dropped the OLDEST unsent "
		         "tap %s (seq %lld, site %s, reader %s, card %s, %s); %lld dropped so far",
		         b->cfg.spool_max, v->id, (long long)v->seq, v->site, v->reader, v->card, ts,
		         (long long)b->spool.dropped);
	b->status_dirty = 1;
}

/* The one path every card takes: debounce, token, spool (durably, first),
 * publish if connected, then queue the coach's feedback. */
int tap_seen(struct bridge *b, const uint8_t *uid, size_t uidlen)
{
	struct tl_tap tap, victim;
	enum spool_evict evicted;
	int64_t now = bridge_now_ms();
	int sent = 0;

	memset(&tap, 0, sizeof tap);
	pthread_mutex_lock(&b->lock);
	if (tap_bounce(b, uid, uidlen, now)) {
		pthread_mutex_unlock(&b->lock);
		return 0; /* not logged: a held card is seen many times a second */
	}
	if (tl_token_compute(b->key, uid, uidlen, tap.card) || tap_uuid(tap.id)) {
		pthread_mutex_unlock(&b->lock);
		tl_error("cannot compute token or id: tap lost");
		return 0;
	}
	snprintf(tap.site, sizeof tap.site, "%s", b->cfg.site);
	snprintf(tap.reader, sizeof tap.reader, "%s", b->cfg.id);
	tap.ts = (int64_t)time(NULL);
	tap.random = tl_uid_random(uid, uidlen); /* marked for the collector */
	if (tap.ts < TL_MIN_TS && !b->clock_warned) {
		b->clock_warned = 1;
		tl_error("the system clock says %lld: it has never been set (no network time and "
		         "no RTC?); taps are held until it is, then sent with corrected times",
		         (long long)tap.ts);
	}
	if (spool_add(&b->spool, &tap, &evicted, &victim)) {
		/* Still tell the coach and try the network: better than nothing. */
		tl_error("tap %s NOT spooled; sending it without a local copy", tap.id);
		b->spool_errors++;
		b->status_dirty = 1;
	}
	tap_log_eviction(b, evicted, &victim);
	if (b->connected && tap_sendable(&tap) && mqtt_publish_tap(b, &tap) == 0) {
		spool_light_begin(&b->spool);
		spool_mark_sent(&b->spool, tap.id, now);
		spool_light_end(&b->spool);
		sent = 1;
	}
	tap_pend(b, &tap, now, sent);
	pthread_mutex_unlock(&b->lock);
	bridge_wake(b);
	tl_debug("tap %s seq %lld card %s", tap.id, (long long)tap.seq, tap.card);
	return 1;
}
