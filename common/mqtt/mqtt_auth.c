/* mqtt_auth.c - see mqtt_auth.h. */
#include "mqtt_auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int tl_host_is_loopback(const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int loop = 1;

	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *in = (const struct sockaddr_in *)ai->ai_addr;
			loop &= (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ai->ai_addr;
			loop &= IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		} else
			loop = 0;
	}
	freeaddrinfo(res);
	return loop;
}

/* Reads the first line of a private file (refusing group/other access). */
static int auth_read_password(const char *path, char *out, size_t size, char *err, size_t errlen)
{
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "password file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || (sb.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errlen, "password file %s must not be readable by group or others "
		         "(run: chmod 600 %s)", path, path);
		close(fd);
		return -1;
	}
	n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "password file %s is empty", path);
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

int tl_mqtt_auth_apply(struct mosquitto *mosq, const struct tl_mqtt_auth *a, const char *host,
                       char *err, size_t errlen)
{
	char password[256] = "";
	int rc;

	if (!!a->certfile[0] != !!a->keyfile[0]) {
		snprintf(err, errlen, "certfile and keyfile go together");
		return -1;
	}
	if (a->certfile[0] && !a->cafile[0]) {
		snprintf(err, errlen, "a client certificate needs TLS: set cafile too");
		return -1;
	}
	if (a->cafile[0]) {
		rc = mosquitto_tls_set(mosq, a->cafile, NULL, a->certfile[0] ? a->certfile : NULL,
		                       a->keyfile[0] ? a->keyfile : NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "TLS set-up failed (%s): check cafile, certfile, keyfile",
			         mosquitto_strerror(rc));
			return -1;
		}
		mosquitto_tls_opts_set(mosq, 1, "tlsv1.2", NULL);
	}
	if (!a->username[0]) {
		if (a->password_file[0]) {
			snprintf(err, errlen, "password-file is set but username is not");
			return -1;
		}
		return 0;
	}
	if (!a->cafile[0] && !a->allow_plain_credentials && !tl_host_is_loopback(host)) {
		snprintf(err, errlen,
		         "refusing to send credentials over plain TCP to %s: set cafile to use TLS, "
		         "or allow-plain-credentials if the network is trusted", host);
		return -1;
	}
	if (a->password_file[0] &&
	    auth_read_password(a->password_file, password, sizeof password, err, errlen))
		return -1;
	rc = mosquitto_username_pw_set(mosq, a->username, password[0] ? password : NULL);
	memset(password, 0, sizeof password);
	if (rc != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "credentials: %s", mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}
