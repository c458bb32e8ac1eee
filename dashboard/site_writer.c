/* site_writer.c - the output directory, replaced as a whole.
 *
 * Pages are written into DIR.tmp-XXXXXX beside DIR, which then takes
 * DIR's place in one rename (an exchange when DIR exists), so a browser
 * never sees a half-written site: it sees the old one or the new one.
 * An existing DIR is only replaced if this program wrote it (it holds the
 * marker file), so a mistyped --out never deletes someone's files. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "dashboard.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SITE_MARKER ".touchline-dashboard"

static char site_tmp[DASH_PATH_MAX + 32]; /* "" once committed */

static int site_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Deletes a tree this program made (depth first, not following links). */
static void site_rm_tree(const char *path)
{
	nftw(path, site_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void site_abort(void)
{
	if (site_tmp[0]) {
		site_rm_tree(site_tmp);
		site_tmp[0] = '\0';
	}
}

/* True if path is a directory this program wrote, or an empty one. */
static int site_replaceable(const char *path)
{
	char marker[DASH_PATH_MAX + 64];
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT;
	if (!S_ISDIR(sb.st_mode))
		return 0;
	snprintf(marker, sizeof marker, "%s/" SITE_MARKER, path);
	if (access(marker, F_OK) == 0)
		return 1;
	return rmdir(path) == 0; /* empty: nothing lost */
}

void site_begin(struct dash *d, const char *out)
{
	mode_t mask = umask(0);
	FILE *f;

	/* With names the pages are personal data: owner only, whatever the
	 * umask (0700 folders, 0600 files). */
	if (d->names)
		mask |= 077;
	umask(mask);
	if (!site_replaceable(out))
		dash_fail("%s exists and is not a dashboard this program wrote: choose another --out",
		          out);
	if ((size_t)snprintf(d->dir, sizeof d->dir, "%s.tmp-XXXXXX", out) >= sizeof d->dir)
		dash_fail("%s: path too long", out);
	if (!mkdtemp(d->dir))
		dash_fail("%s: cannot create: %s", d->dir, strerror(errno));
	snprintf(site_tmp, sizeof site_tmp, "%s", d->dir);
	chmod(d->dir, 0777 & ~mask); /* mkdtemp's 0700, widened only as far as umask allows */
	f = site_open(d, SITE_MARKER);
	fputs("Written by touchline-dashboard; the whole directory is replaced on each run.\n", f);
	site_close(f, SITE_MARKER);
}

FILE *site_open(struct dash *d, const char *name)
{
	char path[DASH_PATH_MAX + 200];
	const char *slash = strrchr(name, '/');
	FILE *f;

	if (slash) {
		snprintf(path, sizeof path, "%s/%.*s", d->dir, (int)(slash - name), name);
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			dash_fail("%s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof path, "%s/%s", d->dir, name);
	f = fopen(path, "w");
	if (!f)
		dash_fail("%s: %s", path, strerror(errno));
	return f;
}

/* No fsync: a crash leaves only a temporary directory, never a broken
 * DIR, and a dashboard is regenerated, not recovered. */
void site_close(FILE *f, const char *name)
{
	int bad = ferror(f) || fflush(f) != 0;
	if (fclose(f) != 0 || bad)
		dash_fail("%s: write failed: %s", name, strerror(errno));
}

/* RENAME_EXCHANGE (Linux 3.15): both names stay valid throughout. */
static int site_exchange(const char *a, const char *b)
{
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
	errno = ENOSYS;
	return -1;
#endif
}

void site_commit(struct dash *d, const char *out)
{
	struct stat sb;

	if (lstat(out, &sb) != 0) {
		if (rename(d->dir, out) != 0)
			dash_fail("%s: cannot rename into place: %s", out, strerror(errno));
	} else if (site_exchange(d->dir, out) != 0) {
		/* No exchange (old kernel or file system): move the old one aside
		 * first; DIR is missing only between two renames. */
		char old[DASH_PATH_MAX + 32];
		snprintf(old, sizeof old, "%s.old-XXXXXX", out);
		if (!mkdtemp(old) || rmdir(old) != 0 || rename(out, old) != 0 ||
		    rename(d->dir, out) != 0)
			dash_fail("%s: cannot rename into place: %s", out, strerror(errno));
		site_rm_tree(old);
		site_tmp[0] = '\0';
		return;
	}
	/* After an exchange the temporary name holds the old site. */
	site_abort();
}
