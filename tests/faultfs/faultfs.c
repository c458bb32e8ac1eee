/* faultfs.c - storage faults on demand, for the tests (LD_PRELOAD).
 *
 * While the file named by TL_FAULT_FILE holds "ERRNO OP" (e.g. "EIO
 * fsync", "EROFS write", "ENOSPC write"), the program's writes (OP write:
 * write, pwrite, pwrite64, ftruncate) or syncs (OP fsync: fsync,
 * fdatasync) on files whose path contains TL_FAULT_MATCH fail with that
 * errno, as a failing disk, a read-only remount or a full file system
 * would make them. SQLite's shared-memory file (-shm) is left alone: it
 * is mapped, not written, once made. An empty or missing file: no fault.
 *
 *   LD_PRELOAD=.../libtl_faultfs.so TL_FAULT_FILE=/tmp/f TL_FAULT_MATCH=touchline.db prog */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum fault_op { FAULT_WRITE, FAULT_SYNC };

/* The errno to fail this call with, or 0. */
static int fault_now(int fd, enum fault_op op)
{
	static const struct { const char *name; int err; } names[] = {
		{ "EIO", EIO }, { "EROFS", EROFS }, { "ENOSPC", ENOSPC }, { "EFBIG", EFBIG },
	};
	const char *ctl = getenv("TL_FAULT_FILE"), *match = getenv("TL_FAULT_MATCH");
	char buf[64], link[64], path[4096];
	ssize_t n;
	int fd_ctl, saved = errno, err = 0;

	if (!ctl || !match)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		goto out;
	path[n] = '\0';
	if (!strstr(path, match) || (n > 4 && strcmp(path + n - 4, "-shm") == 0))
		goto out;
	fd_ctl = open(ctl, O_RDONLY | O_CLOEXEC);
	if (fd_ctl < 0)
		goto out;
	n = read(fd_ctl, buf, sizeof buf - 1);
	close(fd_ctl);
	if (n <= 0)
		goto out;
	buf[n] = '\0';
	if (!strstr(buf, op == FAULT_WRITE ? "write" : "fsync"))
		goto out;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t len = strlen(names[i].name);
		if (strncmp(buf, names[i].name, len) == 0 && buf[len] == ' ')
			err = names[i].err;
	}
out:
	errno = saved;
	return err;
}

#define FAULT_NEXT(type, name) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t count)
{
	int err = fault_now(fd, FAULT_WRITE);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(ssize_t (*)(int, const void *, size_t), "write")(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	int err = fault_now(fd, FAULT_WRITE);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(ssize_t (*)(int, const void *, size_t, off_t), "pwrite")(fd, buf, count,
	                                                                            off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off)
{
	int err = fault_now(fd, FAULT_WRITE);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(ssize_t (*)(int, const void *, size_t, off64_t), "pwrite64")(fd, buf,
	                                                                                count, off);
}

int ftruncate(int fd, off_t len)
{
	int err = fault_now(fd, FAULT_WRITE);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(int (*)(int, off_t), "ftruncate")(fd, len);
}

int fsync(int fd)
{
	int err = fault_now(fd, FAULT_SYNC);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(int (*)(int), "fsync")(fd);
}

int fdatasync(int fd)
{
	int err = fault_now(fd, FAULT_SYNC);
	if (err) {
		errno = err;
		return -1;
	}
	return FAULT_NEXT(int (*)(int), "fdatasync")(fd);
}
