/* watchdog.c - sd_notify READY/WATCHDOG/STOPPING through libsystemd. */
#include "watchdog.h"
#include "log.h"

#include <systemd/sd-daemon.h>

static int64_t watchdog_ms;   /* the interval systemd expects; 0: none */
static int64_t watchdog_last; /* monotonic ms of the last ping */

/* Not unsetting the environment: hooks the bridge runs inherit it, but
 * systemd only takes notifications from the main process (NotifyAccess). */
int64_t tl_watchdog_ready(void)
{
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);

	if (r < 0)
		tl_warn("systemd watchdog: bad WATCHDOG_USEC/WATCHDOG_PID (%d); not pinging", r);
	watchdog_ms = r > 0 ? (int64_t)(usec / 1000) : 0;
	if (watchdog_ms < 2 && r > 0)
		watchdog_ms = 2;
	if (sd_notify(0, "READY=1") > 0)
		tl_info("told systemd we are ready%s", watchdog_ms ? "; pinging its watchdog" : "");
	if (watchdog_ms) {
		tl_debug("systemd watchdog: %lld ms, pinged every %lld ms",
		         (long long)watchdog_ms, (long long)(watchdog_ms / 2));
		sd_notify(0, "WATCHDOG=1");
	}
	watchdog_last = 0;
	return watchdog_ms;
}

void tl_watchdog_ping(int64_t now_ms)
{
	if (!watchdog_ms)
		return;
	if (watchdog_last && now_ms - watchdog_last < watchdog_ms / 2)
		return;
	watchdog_last = now_ms;
	sd_notify(0, "WATCHDOG=1");
}

void tl_watchdog_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}
