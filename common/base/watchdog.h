/* watchdog.h - the systemd service watchdog (sd_notify), for the daemons.
 *
 * Under a unit with Type=notify and WatchdogSec=, systemd restarts a
 * daemon that stops pinging. The pings must come from the loop that does
 * the daemon's work, so a wedged loop stops them: call tl_watchdog_ping()
 * on every pass of that loop, never from a thread of its own. Outside
 * systemd (no NOTIFY_SOCKET) every call does nothing. */
#ifndef TL_WATCHDOG_H
#define TL_WATCHDOG_H

#include <stdint.h>

/* Reads WATCHDOG_USEC (sd_watchdog_enabled) and tells systemd READY=1.
 * Call once, when the daemon is running. Returns the interval systemd
 * expects pings within, in ms, or 0 if there is no watchdog. */
int64_t tl_watchdog_ready(void);
/* Sends WATCHDOG=1 if half the interval has passed since the last ping;
 * now_ms is monotonic. Cheap enough for every pass of a loop. */
void tl_watchdog_ping(int64_t now_ms);
/* Tells systemd the daemon is stopping (STOPPING=1): no restart for it. */
void tl_watchdog_stopping(void);

#endif
