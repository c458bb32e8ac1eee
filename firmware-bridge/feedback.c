/* feedback.c - what the coach sees and hears for each tap.
 *
 * One line on stdout per tap (docs/bridge.md, "Feedback"), and the optional
 * hook: a program run as `HOOK OUTCOME CODE` with no shell, started with
 * posix_spawnp so the tap path never waits for it. At most FB_HOOKS_MAX
 * hooks run at once; one running longer than FB_HOOK_SECONDS is killed. */
#include "bridge.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define FB_HOOKS_MAX 4
#define FB_HOOK_SECONDS 10

extern char **environ;

static const char *const fb_names[] = { "recorded", "duplicate", "unknown_card", "rejected",
	                                "offline" };

/* Hooks still running: pid and start time; pid 0 is a free slot. Only the
 * main thread starts and reaps hooks. */
static struct {
	pid_t pid;
	int64_t started_ms;
} fb_hooks[FB_HOOKS_MAX];

/* The outcome as the hook receives it. */
const char *feedback_outcome_name(enum feedback_outcome o)
{
	return fb_names[o];
}

/* Starts the hook without waiting for it. */
static void feedback_hook(const char *hook, enum feedback_outcome o, const char *code)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)hook, (char *)fb_names[o], (char *)code, NULL };
	int slot = -1, rc;
	pid_t pid;

	for (int i = 0; i < FB_HOOKS_MAX; i++)
		if (fb_hooks[i].pid == 0) {
			slot = i;
			break;
		}
	if (slot < 0) {
		tl_warn("hook: %d hooks still running; not starting another for this tap",
		        FB_HOOKS_MAX);
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, hook, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		tl_warn("hook %s: cannot start: %s", hook, strerror(rc));
		return;
	}
	fb_hooks[slot].pid = pid;
	fb_hooks[slot].started_ms = bridge_now_ms();
}

/* Collects finished hooks (no zombies) and kills hung ones. */
void feedback_reap(void)
{
	int64_t now = bridge_now_ms();

	for (int i = 0; i < FB_HOOKS_MAX; i++) {
		int st;
		pid_t r;
		if (fb_hooks[i].pid == 0)
			continue;
		r = waitpid(fb_hooks[i].pid, &st, WNOHANG);
		if (r == fb_hooks[i].pid || (r < 0 && errno == ECHILD)) {
			if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st) != 0)
				tl_warn("hook exited with status %d", WEXITSTATUS(st));
			fb_hooks[i].pid = 0;
		} else if (r == 0 && now - fb_hooks[i].started_ms > FB_HOOK_SECONDS * 1000) {
			tl_warn("hook pid %d still running after %ds: killed", (int)fb_hooks[i].pid,
			        FB_HOOK_SECONDS);
			kill(fb_hooks[i].pid, SIGKILL);
		}
	}
}

/* "18:05:12": the coach's local time of day. */
static void feedback_clock(int64_t t, char buf[16])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!localtime_r(&tt, &tm) || strftime(buf, 16, "%H:%M:%S", &tm) == 0)
		snprintf(buf, 16, "--:--:--");
}

/* The text after the time: what happened, in a coach's words. */
static void feedback_text(struct bridge *b, enum feedback_outcome o, const struct tl_ack *ack,
                          int random, char *buf, size_t size)
{
	const char *code = ack && ack->participant[0] ? ack->participant : "";
	const char *coach = ack ? ack->coach : "";

	/* what a coach (staff) card did comes first (docs/protocol.md) */
	if (!strcmp(coach, TL_COACH_OPEN)) {
		snprintf(buf, size, "staff card: tap the new card within %d s (staff card again"
		         " cancels)", TL_COACH_WINDOW);
		return;
	}
	if (!strcmp(coach, TL_COACH_CANCEL)) {
		snprintf(buf, size, "staff card: cancelled");
		return;
	}
	if (!strcmp(coach, TL_COACH_ENROLLED) && o != FB_DUPLICATE) {
		snprintf(buf, size, "new participant %s enrolled in %s", code[0] ? code : "?",
		         ack->programme[0] ? ack->programme : "the programme");
		return;
	}
	if (!strcmp(coach, TL_COACH_KNOWN)) {
		snprintf(buf, size, "card already belongs to %s: nothing re-issued",
		         code[0] ? code : "a participant");
		return;
	}
	if (!strcmp(coach, TL_COACH_NO_PROGRAMME)) {
		snprintf(buf, size, "no programme running at this site now: nothing enrolled");
		return;
	}
	if (!strcmp(coach, TL_COACH_RANDOM))
		random = 1;

	switch (o) {
	case FB_RECORDED:
		if (ack && ack->week_sessions >= 0)
			snprintf(buf, size, "recorded: %s, %d session%s this week",
			         code[0] ? code : "participant", ack->week_sessions,
			         ack->week_sessions == 1 ? "" : "s");
		else
			snprintf(buf, size, "recorded: %s", code[0] ? code : "participant");
		break;
	case FB_DUPLICATE:
		snprintf(buf, size, "already tapped%s%s", code[0] ? ": " : "", code);
		break;
	case FB_UNKNOWN_CARD:
		if (random) {
			snprintf(buf, size, "phone or random-ID card: use the programme card");
			break;
		}
		snprintf(buf, size,
		         "unknown card: enrol it (touchline card enrol CODE --last-unknown "
		         "--reader %s/%s)",
		         b->cfg.site, b->cfg.id);
		break;
	case FB_REJECTED:
		snprintf(buf, size, "rejected by the collector (%s): tell the organiser",
		         ack && ack->reason < TL_R_COUNT ? tl_reason_name(ack->reason) : "unknown");
		break;
	case FB_OFFLINE:
		snprintf(buf, size, "stored offline, will send");
		break;
	}
}

/* The light and sound pattern for an outcome: a staff card opening its
 * window has its own; the rest follow the outcome. */
static enum fb_pattern_id feedback_pattern_of(enum feedback_outcome o, const struct tl_ack *ack)
{
	if (ack && !strcmp(ack->coach, TL_COACH_OPEN))
		return FB_PAT_STAFF;
	switch (o) {
	case FB_RECORDED:
		return FB_PAT_RECORDED;
	case FB_DUPLICATE:
		return FB_PAT_DUPLICATE;
	case FB_UNKNOWN_CARD:
		return FB_PAT_UNKNOWN;
	case FB_OFFLINE:
		return FB_PAT_OFFLINE;
	case FB_REJECTED:
		break;
	}
	return FB_PAT_REJECTED;
}

/* Prints the line (flushed at once), starts the lights and the hook. */
void feedback_tap(struct bridge *b, const struct pending *p, enum feedback_outcome o,
                  const struct tl_ack *ack, int later)
{
	char now[16], then[16], text[256];

	feedback_clock((int64_t)time(NULL), now);
	feedback_text(b, o, ack, p->random, text, sizeof text);
	if (later) {
		feedback_clock(p->ts, then);
		printf("%s sent (tap of %s) %s\n", now, then, text);
	} else {
		printf("%s %s\n", now, text);
	}
	fflush(stdout);
	if (!later)
		feedback_gpio_play(feedback_pattern_of(o, ack), bridge_now_ms());
	if (!later && b->cfg.hook[0])
		feedback_hook(b->cfg.hook, o, ack && ack->participant[0] ? ack->participant : "-");
}
