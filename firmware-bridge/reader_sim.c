/* reader_sim.c - the "sim" reader: card UIDs as text, for demos and tests.
 *
 * Reads lines from a file, a FIFO or stdin ("-"):
 *   04a1b2c3              a card (4, 7 or 10 bytes of hex; ":" or " " between
 *                         bytes allowed) is seen once
 *   sleep 1.5             pause that many seconds before the next line
 *   # comment             ignored, as are blank lines
 * Each UID then takes exactly the path of a real card (tap_seen). At the end
 * of a file or stdin the bridge keeps running, to deliver what is spooled; a
 * FIFO is held open so writers may come and go. */
#include "bridge.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Acts on one line of input. */
static void sim_line(struct bridge *b, char *line)
{
	uint8_t uid[TL_UID_MAX];
	size_t len;
	char *end;

	line[strcspn(line, "\r\n")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return;
	if (strncmp(line, "sleep ", 6) == 0) {
		double s = strtod(line + 6, &end);
		if (end == line + 6 || s < 0 || s > 3600)
			tl_warn("sim: bad line '%s'", line);
		else
			bridge_sleep(b, (int64_t)(s * 1000));
		return;
	}
	if (tl_uid_parse(line, uid, &len)) {
		tl_warn("sim: '%s' is not a 4, 7 or 10 byte UID in hex; ignored", line);
		return;
	}
	tap_seen(b, uid, len);
}

/* Reads lines until stop or end of input (the bridge keeps running). */
int reader_sim_run(struct bridge *b, const char *path)
{
	char buf[512];
	size_t have = 0;
	struct stat sb;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		/* O_RDWR on a FIFO: we count as a writer, so no EOF between writers. */
		int fifo = stat(path, &sb) == 0 && S_ISFIFO(sb.st_mode);
		fd = open(path, (fifo ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd < 0) {
			tl_error("sim reader: %s: %s", path, strerror(errno));
			bridge_set_fault(b, "sim input cannot be opened");
			return -1;
		}
	}
	tl_info("sim reader on %s", path);
	while (!b->stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		char *nl;

		atomic_store(&b->reader_alive_ms, bridge_now_ms());
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (have) {
				buf[have] = '\0';
				sim_line(b, buf);
			}
			tl_info("sim reader: end of input; still delivering spooled taps");
			break;
		}
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			sim_line(b, buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof buf - 1) {
			tl_warn("sim: line too long; discarded");
			have = 0;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}
