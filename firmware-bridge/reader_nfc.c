/* reader_nfc.c - the "nfc" reader: ISO/IEC 14443A cards through libnfc
 * (PN532 on a UART, ACR122U on USB, anything libnfc drives).
 *
 * Polls for one card at a time with a bounded select (NP_INFINITE_SELECT
 * off), deselects it and polls again; a card held on the reader is thus
 * seen over and over or (once halted) not at all, and tap_seen's debounce
 * makes it one tap either way. Any failure closes the device and reopens it
 * with backoff (1 s doubling to 30 s), reporting the fault in the status;
 * the bridge never exits for a reader problem. reader_nfc_abort() (main
 * thread, on SIGTERM) interrupts a blocking command with nfc_abort_command. */
#include "bridge.h"
#include "log.h"

#include <nfc/nfc.h>
#include <stdio.h>
#include <string.h>

#define NFC_POLL_MS 100       /* pause between polls */
#define NFC_BACKOFF_MIN 1000
#define NFC_BACKOFF_MAX 30000
#define NFC_ERRORS_MAX 3      /* failed polls in a row before reopening */

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

/* Opens and initialises the reader; NULL with fault set on failure. */
static nfc_device *nfc_start(struct bridge *b, nfc_context *ctx, const char *connstring,
                             char *fault, size_t faultlen)
{
	nfc_device *dev = nfc_open(ctx, connstring);

	if (!dev) {
		snprintf(fault, faultlen, "no NFC reader at %s",
		         connstring ? connstring : "(autoscan)");
		return NULL;
	}
	if (nfc_initiator_init(dev) < 0 ||
	    nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false) < 0) {
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

/* Polls the open device until stop or a persistent failure; 0 on stop. */
static int nfc_poll_loop(struct bridge *b, nfc_device *dev, char *fault, size_t faultlen)
{
	const nfc_modulation nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };
	int errors = 0;

	while (!b->stop) {
		nfc_target t;
		int r;

		memset(&t, 0, sizeof t);
		r = nfc_initiator_select_passive_target(dev, nm, NULL, 0, &t);
		if (b->stop)
			return 0;
		if (r > 0) {
			errors = 0;
			nfc_card(b, &t);
			if (nfc_initiator_deselect_target(dev) < 0)
				tl_debug("deselect failed: %s", nfc_strerror(dev));
		} else if (r == 0) {
			errors = 0;
		} else if (++errors >= NFC_ERRORS_MAX) {
			snprintf(fault, faultlen, "NFC reader %s failed: %s",
			         nfc_device_get_name(dev), nfc_strerror(dev));
			return -1;
		} else {
			tl_warn("poll failed (%s); carrying on", nfc_strerror(dev));
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
			bridge_sleep(b, backoff);
			backoff = backoff * 2 > NFC_BACKOFF_MAX ? NFC_BACKOFF_MAX : backoff * 2;
			continue;
		}
		tl_info("NFC reader ready: %s (%s)", nfc_device_get_name(dev),
		        nfc_device_get_connstring(dev));
		bridge_set_fault(b, NULL);
		last[0] = '\0';
		backoff = NFC_BACKOFF_MIN;
		pthread_mutex_lock(&nfc_mu);
		nfc_dev = dev;
		pthread_mutex_unlock(&nfc_mu);
		if (nfc_poll_loop(b, dev, fault, sizeof fault) != 0) {
			tl_error("%s; reopening", fault);
			snprintf(last, sizeof last, "%s", fault);
			bridge_set_fault(b, fault);
		}
		pthread_mutex_lock(&nfc_mu);
		nfc_dev = NULL;
		pthread_mutex_unlock(&nfc_mu);
		nfc_close(dev);
		if (!b->stop)
			bridge_sleep(b, backoff);
	}
	nfc_exit(ctx);
	return 0;
}
