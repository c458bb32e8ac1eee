/* mqtt_auth.h - TLS and credentials for every Touchline MQTT client.
 *
 * The collector and the bridge take the same [mqtt] settings and apply
 * them the same way, so a deployment is secured once. Credentials are
 * never sent over plain TCP to a host that is not loopback unless
 * allow-plain-credentials is set. */
#ifndef TL_MQTT_AUTH_H
#define TL_MQTT_AUTH_H

#include <mosquitto.h>
#include <stddef.h>

struct tl_mqtt_auth {
	char cafile[1024];        /* turns TLS on */
	char certfile[1024];      /* optional client certificate ... */
	char keyfile[1024];       /* ... and its key */
	char username[128];
	char password_file[1024]; /* first line is the password; mode 0600 */
	int allow_plain_credentials;
};

/* The [mqtt] option-table rows for these settings; a program includes
 * them in its own table with TL_MQTT_AUTH_OPTIONS(auth). */
#define TL_MQTT_AUTH_OPTIONS(a)                                                               \
	{ "mqtt", "cafile", TL_OPT_STR, (a).cafile, sizeof (a).cafile, 0, 0, "FILE",           \
	  "CA certificate: connect with TLS and verify the broker against it" },               \
	{ "mqtt", "certfile", TL_OPT_STR, (a).certfile, sizeof (a).certfile, 0, 0, "FILE",     \
	  "client certificate (with keyfile), if the broker asks for one" },                   \
	{ "mqtt", "keyfile", TL_OPT_STR, (a).keyfile, sizeof (a).keyfile, 0, 0, "FILE",        \
	  "client certificate's private key" },                                                 \
	{ "mqtt", "username", TL_OPT_STR, (a).username, sizeof (a).username, 0, 0, "NAME",     \
	  "MQTT user name" },                                                                   \
	{ "mqtt", "password-file", TL_OPT_STR, (a).password_file, sizeof (a).password_file, 0, \
	  0, "FILE", "file holding the MQTT password (mode 0600)" },                            \
	{ "mqtt", "allow-plain-credentials", TL_OPT_BOOL, &(a).allow_plain_credentials, 0, 0,  \
	  0, NULL, "allow a password over plain TCP to a host that is not loopback" }

/* Applies TLS and credentials to a client before it connects. Returns 0,
 * or -1 with err set (a refusal, an unreadable file, a bad certificate). */
int tl_mqtt_auth_apply(struct mosquitto *mosq, const struct tl_mqtt_auth *a, const char *host,
                       char *err, size_t errlen);
/* True if every address host resolves to is a loopback address. */
int tl_host_is_loopback(const char *host);

#endif
