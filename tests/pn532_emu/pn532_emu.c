/* pn532_emu.c - a PN532 on a pseudo-terminal, for testing the bridge's nfc
 * driver through libnfc's real pn532_uart driver without hardware.
 *
 * Usage: pn532_emu LINK CONTROL
 *   LINK     a symlink made to point at the pty's slave (/dev/pts/N), so
 *            the bridge can use the connstring pn532_uart:LINK and find the
 *            "device" again after it vanished and came back on a new pty
 *   CONTROL  a FIFO of commands, one per line:
 *            card HEXUID [classic|ultralight|ntag|desfire]   a card on the reader
 *            remove                 no card
 *            garbage                answer the next poll with junk bytes
 *            truncated              answer the next poll with half a frame
 *            badsum                 answer the next poll with a bad checksum
 *            stall                  acknowledge commands but never answer them
 *                                   (a hung reader: libnfc waits, abortably)
 *            unstall                answer again
 *            failpolls              answer every poll (InListPassiveTarget) with
 *                                   the error frame: a chip that opens but
 *                                   whose polls keep failing
 *            okpolls                answer polls again
 *            vanish                 close the pty (reader unplugged) in the middle
 *                                   of the next poll: after acknowledging it,
 *                                   before answering it
 *            return                 a new pty, LINK re-pointed (plugged in)
 *            quit
 * Each frame from the host is logged to stderr ("cmd 4a", "host ack", ...).
 *
 * Frames (PN532 user manual, and libnfc's pn532_uart.c): host sends
 * 00 00 FF LEN LCS D4 CMD DATA.. DCS 00 (after a 55 55 00 00 00 wake-up);
 * the chip answers the 6-byte ACK 00 00 FF 00 FF 00, then
 * 00 00 FF LEN LCS D5 CMD+1 DATA.. DCS 00. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum emu_fault { EMU_NONE, EMU_GARBAGE, EMU_TRUNCATED, EMU_BADSUM };

static struct {
	int master, slave;         /* -1 when vanished */
	const char *link;
	uint8_t uid[10];
	size_t uidlen;             /* 0: no card */
	uint8_t sak, atqa[2];
	int ats;                   /* card answers with an ATS (ISO 14443-4) */
	enum emu_fault fault;
	int stalled;
	int failpolls;             /* every poll answered with the error frame */
	int vanish_next;           /* unplug mid-way through the next poll */
	uint8_t regs[0x10000];
	uint8_t in[4096];
	size_t inlen;
} emu = { .master = -1, .slave = -1 };

static void emu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line per event on stderr, flushed, for the test to read. */
static void emu_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Opens a new raw pty and points the link at it. */
static int emu_plug(void)
{
	struct termios tio;
	char tmp[4200];
	const char *name;

	emu.master = posix_openpt(O_RDWR | O_NOCTTY);
	if (emu.master < 0 || grantpt(emu.master) || unlockpt(emu.master) ||
	    !(name = ptsname(emu.master))) {
		perror("pty");
		return -1;
	}
	/* Raw from the start: no echo, no line editing of binary frames. */
	tcgetattr(emu.master, &tio);
	cfmakeraw(&tio);
	tcsetattr(emu.master, TCSANOW, &tio);
	/* Holding the slave open too keeps the master from seeing hang-ups
	 * while the bridge has the device closed. */
	emu.slave = open(name, O_RDWR | O_NOCTTY);
	snprintf(tmp, sizeof tmp, "%s.tmp", emu.link);
	unlink(tmp);
	if (symlink(name, tmp) || rename(tmp, emu.link)) {
		perror("symlink");
		return -1;
	}
	emu.inlen = 0;
	emu_log("plugged %s", name);
	return 0;
}

/* The reader is pulled out: the host sees I/O errors from now on. */
static void emu_unplug(void)
{
	if (emu.master >= 0)
		close(emu.master);
	if (emu.slave >= 0)
		close(emu.slave);
	emu.master = emu.slave = -1;
	unlink(emu.link);
	emu_log("vanished");
}

/* Writes all of p to the host, unless the pty is gone. */
static void emu_write(const uint8_t *p, size_t n)
{
	while (n > 0 && emu.master >= 0) {
		ssize_t w = write(emu.master, p, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Sends the ACK and then the answer frame for command cmd. */
static void emu_answer(uint8_t cmd, const uint8_t *data, size_t n)
{
	static const uint8_t ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
	uint8_t f[300];
	size_t len = n + 2, o = 0;
	uint8_t dcs = 0;

	emu_write(ack, sizeof ack);
	f[o++] = 0x00;
	f[o++] = 0x00;
	f[o++] = 0xff;
	f[o++] = (uint8_t)len;
	f[o++] = (uint8_t)(0x100 - len);
	f[o++] = 0xd5;
	f[o++] = (uint8_t)(cmd + 1);
	dcs = (uint8_t)(0xd5 + cmd + 1);
	for (size_t i = 0; i < n; i++) {
		f[o++] = data[i];
		dcs = (uint8_t)(dcs + data[i]);
	}
	f[o++] = (uint8_t)(0x100 - dcs);
	f[o++] = 0x00;
	if (cmd == 0x4a && emu.fault != EMU_NONE) {
		enum emu_fault fault = emu.fault;
		emu.fault = EMU_NONE;
		if (fault == EMU_GARBAGE) {
			static const uint8_t junk[] = { 0x00, 0x00, 0xff, 0x07, 0x42, 0x13, 0x37,
				                        0xde, 0xad, 0xbe, 0xef, 0x00 };
			emu_log("answering with garbage");
			emu_write(junk, sizeof junk);
			return;
		}
		if (fault == EMU_TRUNCATED) {
			emu_log("answering with a truncated frame");
			emu_write(f, o / 2);
			return;
		}
		emu_log("answering with a bad checksum");
		f[o - 2] ^= 0x5a;
	}
	emu_write(f, o);
}

/* The InListPassiveTarget answer: NbTg, then Tg, ATQA, SAK, UID, ATS. */
static void emu_list_passive(void)
{
	uint8_t d[64];
	size_t o = 0;

	if (!emu.uidlen) {
		d[o++] = 0;
	} else {
		d[o++] = 1;
		d[o++] = 1;
		d[o++] = emu.atqa[0];
		d[o++] = emu.atqa[1];
		d[o++] = emu.sak;
		d[o++] = (uint8_t)emu.uidlen;
		memcpy(d + o, emu.uid, emu.uidlen);
		o += emu.uidlen;
		if (emu.ats) {
			static const uint8_t ats[] = { 0x06, 0x75, 0x77, 0x81, 0x02, 0x80 };
			memcpy(d + o, ats, sizeof ats);
			o += sizeof ats;
		}
	}
	emu_answer(0x4a, d, o);
}

/* Acts on one command frame (cmd and its data). */
static void emu_command(const uint8_t *c, size_t n)
{
	uint8_t out[256];
	size_t o = 0;
	uint8_t cmd = c[0];

	emu_log("cmd %02x", cmd);
	if (emu.stalled) {
		static const uint8_t ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
		emu_log("stalled: ack only");
		emu_write(ack, sizeof ack);
		return;
	}
	switch (cmd) {
	case 0x00: /* Diagnose: echo (communication test) */
		emu_answer(cmd, c + 1, n - 1);
		return;
	case 0x02: /* GetFirmwareVersion: IC PN532, v1.6, supports 14443A/B, 18092 */
		out[o++] = 0x32;
		out[o++] = 0x01;
		out[o++] = 0x06;
		out[o++] = 0x07;
		break;
	case 0x06: /* ReadRegister */
		for (size_t i = 1; i + 1 < n; i += 2)
			out[o++] = emu.regs[(c[i] << 8) | c[i + 1]];
		break;
	case 0x08: /* WriteRegister */
		for (size_t i = 1; i + 2 < n; i += 3)
			emu.regs[(c[i] << 8) | c[i + 1]] = c[i + 2];
		break;
	case 0x4a: /* InListPassiveTarget */
		if (emu.vanish_next) {
			static const uint8_t ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
			emu.vanish_next = 0;
			emu_write(ack, sizeof ack);
			emu_log("vanishing mid-poll");
			emu_unplug();
			return;
		}
		if (emu.failpolls) {
			static const uint8_t ack_err[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00,
			                                   0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00 };
			emu_log("poll failed: error frame");
			emu_write(ack_err, sizeof ack_err);
			return;
		}
		emu_list_passive();
		return;
	case 0x60: /* InAutoPoll: nothing found */
		out[o++] = 0;
		break;
	case 0x44: /* InDeselect */
	case 0x52: /* InRelease */
	case 0x16: /* PowerDown */
		out[o++] = 0x00;
		break;
	case 0x12: /* SetParameters */
	case 0x14: /* SAMConfiguration */
	case 0x32: /* RFConfiguration */
		break;
	default:
		emu_log("unknown command %02x: answering with status 0x27", cmd);
		out[o++] = 0x27;
		break;
	}
	emu_answer(cmd, out, o);
}

/* Finds complete frames in the input and acts on them. */
static void emu_parse(void)
{
	size_t i = 0;

	while (i + 1 < emu.inlen) {
		uint8_t len, lcs, dcs = 0;
		if (emu.in[i] != 0x00 || emu.in[i + 1] != 0xff) {
			i++;
			continue;
		}
		if (i + 4 > emu.inlen)
			break;
		len = emu.in[i + 2];
		lcs = emu.in[i + 3];
		if (len == 0x00 && lcs == 0xff) { /* ACK from the host: abort */
			emu_log("host ack");
			i += 4;
			continue;
		}
		if (len == 0xff && lcs == 0x00) {
			emu_log("host nack");
			i += 4;
			continue;
		}
		if ((uint8_t)(len + lcs) != 0) {
			emu_log("bad length checksum");
			i += 2;
			continue;
		}
		if (i + 4 + len + 1 > emu.inlen)
			break;
		for (size_t k = 0; k < len; k++)
			dcs = (uint8_t)(dcs + emu.in[i + 4 + k]);
		dcs = (uint8_t)(dcs + emu.in[i + 4 + len]);
		if (dcs != 0 || len < 2 || emu.in[i + 4] != 0xd4)
			emu_log("bad frame (dcs or tfi)");
		else
			emu_command(emu.in + i + 5, len - 1);
		i += 4 + len + 1;
	}
	memmove(emu.in, emu.in + i, emu.inlen - i);
	emu.inlen -= i;
}

/* Sets the card on the reader from "HEXUID [type]". */
static void emu_card(const char *arg)
{
	char type[32] = "classic";
	char hex[64];
	size_t n = 0;

	if (sscanf(arg, "%63s %31s", hex, type) < 1)
		return;
	for (size_t i = 0; hex[i] && hex[i + 1] && n < sizeof emu.uid; i += 2) {
		unsigned v;
		if (sscanf(hex + i, "%2x", &v) != 1)
			return;
		emu.uid[n++] = (uint8_t)v;
	}
	emu.uidlen = n;
	emu.ats = 0;
	if (strcmp(type, "ultralight") == 0 || strcmp(type, "ntag") == 0) {
		emu.atqa[0] = 0x00, emu.atqa[1] = 0x44, emu.sak = 0x00;
	} else if (strcmp(type, "desfire") == 0) {
		emu.atqa[0] = 0x03, emu.atqa[1] = 0x44, emu.sak = 0x20, emu.ats = 1;
	} else {
		emu.atqa[0] = 0x00, emu.atqa[1] = n == 4 ? 0x04 : 0x44, emu.sak = 0x08;
	}
	emu_log("card %s (%zu bytes, %s)", hex, n, type);
}

/* Acts on one control line; returns 1 on quit. */
static int emu_control(char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "card ", 5) == 0)
		emu_card(line + 5);
	else if (strcmp(line, "remove") == 0)
		emu.uidlen = 0, emu_log("card removed");
	else if (strcmp(line, "garbage") == 0)
		emu.fault = EMU_GARBAGE;
	else if (strcmp(line, "truncated") == 0)
		emu.fault = EMU_TRUNCATED;
	else if (strcmp(line, "badsum") == 0)
		emu.fault = EMU_BADSUM;
	else if (strcmp(line, "stall") == 0)
		emu.stalled = 1, emu_log("stalled");
	else if (strcmp(line, "unstall") == 0)
		emu.stalled = 0, emu_log("unstalled");
	else if (strcmp(line, "failpolls") == 0)
		emu.failpolls = 1, emu_log("failing polls");
	else if (strcmp(line, "okpolls") == 0)
		emu.failpolls = 0, emu_log("answering polls");
	else if (strcmp(line, "vanish") == 0)
		emu.vanish_next = 1;
	else if (strcmp(line, "return") == 0 && emu.master < 0)
		emu_plug();
	else if (strcmp(line, "quit") == 0)
		return 1;
	else if (line[0])
		emu_log("unknown control '%s'", line);
	return 0;
}

/* One loop over the control FIFO and the pty. */
int main(int argc, char **argv)
{
	char ctl[512];
	size_t ctllen = 0;
	int cfd;

	if (argc != 3) {
		fprintf(stderr, "usage: pn532_emu LINK CONTROL-FIFO\n");
		return 2;
	}
	emu.link = argv[1];
	cfd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (cfd < 0) {
		perror(argv[2]);
		return 1;
	}
	if (emu_plug())
		return 1;
	for (;;) {
		struct pollfd p[2] = { { cfd, POLLIN, 0 }, { emu.master, POLLIN, 0 } };
		int np = emu.master >= 0 ? 2 : 1;
		if (poll(p, (nfds_t)np, 1000) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			ssize_t r = read(cfd, ctl + ctllen, sizeof ctl - 1 - ctllen);
			char *nl;
			if (r > 0) {
				ctllen += (size_t)r;
				ctl[ctllen] = '\0';
				while ((nl = strchr(ctl, '\n'))) {
					*nl = '\0';
					if (emu_control(ctl)) {
						emu_unplug();
						return 0;
					}
					ctllen -= (size_t)(nl + 1 - ctl);
					memmove(ctl, nl + 1, ctllen + 1);
				}
			}
		}
		if (np == 2 && (p[1].revents & POLLIN)) {
			ssize_t r = read(emu.master, emu.in + emu.inlen, sizeof emu.in - emu.inlen);
			if (r > 0) {
				emu.inlen += (size_t)r;
				emu_parse();
				if (emu.inlen == sizeof emu.in)
					emu.inlen = 0;
			}
		}
	}
}
