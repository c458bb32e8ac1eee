/* reader_nfc.c - the "nfc" reader: ISO/IEC 14443A cards through libnfc
 * (PN532 on a UART, ACR122U on USB, anything libnfc drives).
 *
 * Polls for one card at a time with a bounded select (NP_INFINITE_SELECT
 * off), deselects it and polls again; a card held on the reader is thus
 * seen over and over or (once halted) not at all, and tap_seen's debounce
 * makes it one tap either way. A reader that cannot be opened, or opens but
 * whose polls keep failing, is closed and reopened with backoff (1 s
 * doubling to 30 s); the status says reader_ok:false from the first failure
 * until a poll succeeds again. The fault tells a missing reader ("no NFC
 * reader at ...": the port or device is not there) from a silent one ("...
 * is silent": it is there but the chip does not answer). A poll the chip
 * never answers would block libnfc for ever: the main thread aborts it
 * after NFC_SILENT_MS (reader_nfc_check_stuck). The bridge never exits for
 * a reader problem. reader_nfc_abort() (main thread, on SIGTERM) interrupts
 * a blocking command with nfc_abort_command. */
#include "bridge.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <nfc/nfc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NFC_POLL_MS 100       /* pause between polls */
#define NFC_BACKOFF_MIN 1000
#define NFC_BACKOFF_MAX 30000
#define NFC_ERRORS_MAX 3      /* failed polls in a row before reopening */
#define NFC_SILENT_MS 1500    /* a poll unanswered this long is aborted */

/* libnfc's drivers (libnfc 1.8); those on a port need DRIVER:PORT. */
static const struct {
	const char *name;
	int port;
} nfc_drivers[] = {
	{ "pn532_uart", 1 }, { "arygon", 1 }, { "acr122s", 1 }, { "pn532_spi", 1 },
	{ "pn532_i2c", 1 }, { "pn53x_usb", 0 }, { "acr122_usb", 0 }, { "acr122_pcsc", 0 },
	{ "pcsc", 0 }, { "pn71xx", 0 },
};

/* 1 if the connstring's driver is on a port, 0 if not, -1 if unknown. */
static int nfc_driver_port(const char *connstring)
{
	size_t dlen = strcspn(connstring, ":");

	for (size_t i = 0; i < sizeof nfc_drivers / sizeof nfc_drivers[0]; i++)
		if (strlen(nfc_drivers[i].name) == dlen &&
		    strncmp(nfc_drivers[i].name, connstring, dlen) == 0)
			return nfc_drivers[i].port;
	return -1;
}

/* Checks an nfc:CONNSTRING at start, so that a typo is an error (exit 2)
 * and not a reader the bridge retries for ever: DRIVER[:PORT[:SPEED]], a
 * driver libnfc knows, a port for the drivers on a port, a speed in digits,
 * no empty parts. 0 if good, else -1 with the reason in err. */
int reader_nfc_check(const char *connstring, char *err, size_t errlen)
{
	const char *colon = strchr(connstring, ':');
	size_t dlen = colon ? (size_t)(colon - connstring) : strlen(connstring);
	int port = nfc_driver_port(connstring);

	if (strlen(connstring) >= NFC_BUFSIZE_CONNSTRING) {
		snprintf(err, errlen, "the connstring is too long");
		return -1;
	}
	if (port < 0) {
		snprintf(err, errlen, "unknown libnfc driver '%.*s' (pn532_uart, pn532_spi, "
		         "pn532_i2c, arygon, acr122s, pn53x_usb, acr122_usb, acr122_pcsc, pcsc, "
		         "pn71xx)", (int)(dlen > 64 ? 64 : dlen), connstring);
		return -1;
	}
	if (port && (!colon || !colon[1] || colon[1] == ':')) {
		snprintf(err, errlen, "%.*s needs a port: %.*s:PORT[:SPEED], e.g. "
		         "pn532_uart:/dev/ttyS0", (int)dlen, connstring, (int)dlen, connstring);
		return -1;
	}
	if (colon && !colon[1]) {
		snprintf(err, errlen, "nothing after '%.*s:'", (int)dlen, connstring);
		return -1;
	}
	if (port) {
		const char *speed = strchr(colon + 1, ':');
		if (speed) {
			const char *p = speed + 1;
			while (isdigit((unsigned char)*p))
				p++;
			if (p == speed + 1 || *p) {
				snprintf(err, errlen, "the speed after the port must be digits, e.g. "
				         "pn532_uart:/dev/ttyS0:115200");
				return -1;
			}
		}
	}
	return 0;
}

/* The open device, shared with reader_nfc_abort. */
static pthread_mutex_t nfc_mu = PTHREAD_MUTEX_INITIALIZER;
static nfc_device *nfc_dev;

/* Main thread, on stop: cut a poll short instead of waiting for it. */
void reader_nfc_abort(struct bridge *b)
{
	(void)b;
	pthread_mutex_lock(&nfc_mu);
	if (nfc_dev)
		nfc_abort_command(nfc_dev);
	pthread_mutex_unlock(&nfc_mu);
}

/* Marks the reader thread inside (on != 0) or out of a libnfc command that
 * may block, and alive either way (the watchdog and the silence check). */
static void reader_busy(struct bridge *b, int on)
{
	int64_t now = bridge_now_ms();

	atomic_store(&b->reader_alive_ms, now);
	atomic_store(&b->reader_busy_ms, on ? now : 0);
}

/* Why nfc_open failed: for a driver on a port, a port that opens means the
 * reader is there and its chip is silent; otherwise it is missing. */
static void nfc_open_fault(const char *connstring, char *fault, size_t faultlen)
{
	char path[NFC_BUFSIZE_CONNSTRING];
	const char *colon = connstring ? strchr(connstring, ':') : NULL;
	int fd;

	if (!colon || nfc_driver_port(connstring) != 1) {
		snprintf(fault, faultlen, "no NFC reader at %s",
		         connstring ? connstring : "(autoscan)");
		return;
	}
	snprintf(path, sizeof path, "%s", colon + 1);
	path[strcspn(path, ":")] = '\0';
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(fault, faultlen, "no NFC reader at %.120s (%.40s)", connstring,
		         strerror(errno));
		return;
	}
	close(fd);
	snprintf(fault, faultlen, "NFC reader at %.120s is silent: the port opens but the chip "
	         "does not answer", connstring);
}

/* Main thread, every pass: a libnfc command the chip has not answered for
 * NFC_SILENT_MS is aborted (libnfc would wait for ever), and the poll
 * counts as failed with the reader silent. */
void reader_nfc_check_stuck(struct bridge *b, int64_t now)
{
	int64_t since = atomic_load(&b->reader_busy_ms);

	if (!since || now - since < NFC_SILENT_MS || atomic_load(&b->reader_silent))
		return;
	atomic_store(&b->reader_silent, 1);
	reader_nfc_abort(b);
}

/* Opens and initialises the reader; NULL with fault set on failure. */
static nfc_device *nfc_start(struct bridge *b, nfc_context *ctx, const char *connstring,
                             char *fault, size_t faultlen)
{
	nfc_device *dev;

	reader_busy(b, 1);
	dev = nfc_open(ctx, connstring);
	reader_busy(b, 0);
	if (!dev) {
		nfc_open_fault(connstring, fault, faultlen);
		return NULL;
	}
	if (nfc_initiator_init(dev) < 0 ||
	    nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false) < 0) {
		if (nfc_device_get_last_error(dev) == NFC_ETIMEOUT) {
			snprintf(fault, faultlen, "NFC reader %s is silent: it opened but does not "
			         "answer", nfc_device_get_name(dev));
			nfc_close(dev);
			return NULL;
		}
		snprintf(fault, faultlen, "NFC reader %s: init failed: %s",
		         nfc_device_get_name(dev), nfc_strerror(dev));
		nfc_close(dev);
		return NULL;
	}
	(void)b;
	return dev;
}

/* Hands a card's UID to the tap path, if it is one we can use. */
static void nfc_card(struct bridge *b, const nfc_target *t)
{
	const nfc_iso14443a_info *a = &t->nti.nai;
	size_t len = a->szUidLen;

	if (len != 4 && len != 7 && len != 10) {
		static int64_t warned_ms;
		int64_t now = bridge_now_ms();
		if (now - warned_ms > 10000) /* once, not at every poll */
			tl_warn("card with a %zu-byte UID ignored (expected 4, 7 or 10)", len);
		warned_ms = now;
		return;
	}
	if (tap_seen(b, a->abtUid, len) && tl_uid_random(a->abtUid, len))
		tl_info("that card has a random UID (a phone or a privacy card): it changes "
		        "every time and cannot be enrolled");
}

/* Polls the open device until stop or a persistent failure; 0 on stop.
 * The first poll that works clears the fault and the backoff. */
static int nfc_poll_loop(struct bridge *b, nfc_device *dev, int64_t *backoff, char *fault,
                         size_t faultlen)
{
	const nfc_modulation nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };
	int errors = 0, working = 0;

	while (!b->stop) {
		nfc_target t;
		int r;

		memset(&t, 0, sizeof t);
		atomic_store(&b->reader_silent, 0);
		reader_busy(b, 1);
		r = nfc_initiator_select_passive_target(dev, nm, NULL, 0, &t);
		reader_busy(b, 0);
		if (b->stop)
			return 0;
		if (r >= 0 && !working) {
			working = 1;
			*backoff = NFC_BACKOFF_MIN;
			tl_info("NFC reader ready: %s (%s)", nfc_device_get_name(dev),
			        nfc_device_get_connstring(dev));
			bridge_set_fault(b, NULL);
		}
		if (r > 0) {
			errors = 0;
			nfc_card(b, &t);
			if (nfc_initiator_deselect_target(dev) < 0)
				tl_debug("deselect failed: %s", nfc_strerror(dev));
		} else if (r == 0) {
			errors = 0;
		} else if (++errors >= NFC_ERRORS_MAX) {
			if (atomic_load(&b->reader_silent) || r == NFC_ETIMEOUT)
				snprintf(fault, faultlen, "NFC reader %s is silent: it opened but does "
				         "not answer polls", nfc_device_get_name(dev));
			else
				snprintf(fault, faultlen, "NFC reader %s failed: %s",
				         nfc_device_get_name(dev), nfc_strerror(dev));
			return -1;
		} else {
			tl_warn("poll failed (%s); carrying on",
			        atomic_load(&b->reader_silent) ? "no answer" : nfc_strerror(dev));
		}
		bridge_sleep(b, NFC_POLL_MS);
	}
	return 0;
}

/* Opens the reader, polls it, and on any failure reopens it with backoff,
 * until stop; reader problems never end the program. */
int reader_nfc_run(struct bridge *b, const char *connstring)
{
	nfc_context *ctx = NULL;
	int64_t backoff = NFC_BACKOFF_MIN;
	char fault[256] = "", last[256] = "";

	while (!b->stop && !ctx) {
		nfc_init(&ctx);
		if (!ctx) {
			tl_error("cannot initialise libnfc; retrying");
			bridge_set_fault(b, "libnfc cannot be initialised");
			bridge_sleep(b, NFC_BACKOFF_MAX);
		}
	}
	while (!b->stop) {
		nfc_device *dev = nfc_start(b, ctx, connstring, fault, sizeof fault);
		if (!dev) {
			if (strcmp(fault, last) != 0)
				tl_error("%s; retrying with backoff", fault);
			snprintf(last, sizeof last, "%s", fault);
			bridge_set_fault(b, fault);
			tl_debug("NFC reader: next try in %lld s", (long long)(backoff / 1000));
			bridge_sleep(b, backoff);
			backoff = backoff * 2 > NFC_BACKOFF_MAX ? NFC_BACKOFF_MAX : backoff * 2;
			continue;
		}
		tl_debug("NFC reader opened: %s (%s)", nfc_device_get_name(dev),
		         nfc_device_get_connstring(dev));
		last[0] = '\0';
		pthread_mutex_lock(&nfc_mu);
		nfc_dev = dev;
		pthread_mutex_unlock(&nfc_mu);
		if (nfc_poll_loop(b, dev, &backoff, fault, sizeof fault) != 0) {
			tl_error("%s; reopening in %lld s", fault, (long long)(backoff / 1000));
			snprintf(last, sizeof last, "%s", fault);
			bridge_set_fault(b, fault);
		}
		pthread_mutex_lock(&nfc_mu);
		nfc_dev = NULL;
		pthread_mutex_unlock(&nfc_mu);
		nfc_close(dev);
		if (!b->stop) {
			tl_debug("NFC reader: next try in %lld s", (long long)(backoff / 1000));
			bridge_sleep(b, backoff);
			backoff = backoff * 2 > NFC_BACKOFF_MAX ? NFC_BACKOFF_MAX : backoff * 2;
		}
	}
	nfc_exit(ctx);
	return 0;
}
