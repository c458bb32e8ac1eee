/* protocol.h - Touchline wire protocol v1 (docs/protocol.md).
 *
 * Decoding is strict and total: every input, however hostile, yields either
 * a fully validated struct or one reason code naming what was wrong. */
#ifndef TL_PROTOCOL_H
#define TL_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define TL_PROTOCOL_VERSION 1
#define TL_DEFAULT_PREFIX "touchline/v1"
#define TL_MAX_PAYLOAD 1024
#define TL_ID_MAX 32      /* site and reader ids: [a-z0-9-]{1,32} */
#define TL_UUID_LEN 36
#define TL_TOKEN_LEN 32   /* card token: 16 bytes as lowercase hex */
#define TL_MAX_FUTURE 300 /* seconds a tap's ts may lie ahead of ours */
#define TL_VERSION_MAX 64
#define TL_CLOCK_TOLERANCE 120 /* seconds a reader's clock may be off unflagged */
#define TL_MIN_TS 1577836800   /* 2020-01-01T00:00:00Z: earlier means a clock never set */
#define TL_STATUS_SETTLE 60    /* seconds after connecting in which statuses may be old */

/* Whether a measured clock offset (seconds, the reader's clock minus the
 * collector's) is off by more than TL_CLOCK_TOLERANCE. SQL that selects
 * such readers writes abs(clock_offset) > TL_CLOCK_TOLERANCE, bound. */
static inline int tl_clock_off(long long offset)
{
	return offset > TL_CLOCK_TOLERANCE || offset < -TL_CLOCK_TOLERANCE;
}

/* Why a message was rejected. Names (tl_reason_name) are stable: they
 * appear in acks, the dead-letter table and docs/protocol.md. */
enum tl_reason {
	TL_OK = 0,
	TL_R_BAD_TOPIC,
	TL_R_TOO_LARGE,
	TL_R_BAD_UTF8,
	TL_R_BAD_JSON,
	TL_R_NOT_OBJECT,
	TL_R_DUPLICATE_KEY,
	TL_R_BAD_VERSION,
	TL_R_BAD_ID,
	TL_R_BAD_SITE,
	TL_R_BAD_READER,
	TL_R_SITE_MISMATCH,
	TL_R_READER_MISMATCH,
	TL_R_BAD_CARD,
	TL_R_BAD_TS,
	TL_R_TS_IN_FUTURE,
	TL_R_BAD_SEQ,
	TL_R_BAD_STATE,
	TL_R_BAD_SPOOLED,
	TL_R_BAD_FIELD,
	TL_R_UNKNOWN_READER,
	TL_R_TS_IMPLAUSIBLE,
	TL_R_COUNT
};

enum tl_kind { TL_KIND_TAP, TL_KIND_ACK, TL_KIND_STATUS };

/* A topic split into its parts; site and reader are NUL-terminated. */
struct tl_topic {
	char site[TL_ID_MAX + 1];
	char reader[TL_ID_MAX + 1];
	enum tl_kind kind;
};

struct tl_tap {
	char id[TL_UUID_LEN + 1]; /* lowercase */
	char site[TL_ID_MAX + 1];
	char reader[TL_ID_MAX + 1];
	char card[TL_TOKEN_LEN + 1];
	int64_t ts;               /* Unix seconds, UTC */
	int64_t seq;
	int random;               /* "random":true: the reader saw a random UID */
};

enum tl_ack_status { TL_ACK_RECORDED, TL_ACK_DUPLICATE, TL_ACK_UNKNOWN_CARD, TL_ACK_REJECTED };

struct tl_ack {
	char id[TL_UUID_LEN + 1];
	enum tl_ack_status status;
	char participant[32];     /* empty when unknown */
	enum tl_reason reason;    /* when rejected */
	int week_sessions;        /* -1 when not known */
	char coach[16];           /* what a coach (staff) card did, "" when nothing */
	char programme[40];       /* with coach "enrolled": the programme id */
};

/* The ack's "coach" values (docs/protocol.md, "Coach cards"). */
#define TL_COACH_OPEN "open"
#define TL_COACH_CANCEL "cancel"
#define TL_COACH_ENROLLED "enrolled"
#define TL_COACH_KNOWN "known"
#define TL_COACH_NO_PROGRAMME "no_programme"
#define TL_COACH_RANDOM "random_uid"
/* Seconds after a staff card's tap in which the reader's next card is
 * the coach's (by the taps' ts, per reader). */
#define TL_COACH_WINDOW 60

enum tl_state { TL_STATE_ONLINE, TL_STATE_OFFLINE };

struct tl_status {
	enum tl_state state;
	int64_t ts;               /* 0 when absent */
	int64_t spooled;          /* -1 when absent */
	char version[TL_VERSION_MAX + 1];
};

const char *tl_reason_name(enum tl_reason r);
const char *tl_ack_status_name(enum tl_ack_status s);
int tl_ack_status_parse(const char *name, enum tl_ack_status *out);

/* True if s is a valid site or reader id. */
int tl_id_valid(const char *s);
/* True if s is a protocol word: 1 to 32 of a-z and _ (the ack's coach). */
int tl_id_valid_word(const char *s);
/* True if s can be a topic prefix: not empty, no wildcard. */
int tl_prefix_valid(const char *s);
/* True if s is a card token: exactly 32 lowercase hex digits. */
int tl_token_valid(const char *s);
/* True if s is a UUID (any case); version 4 is required when v4 is set. */
int tl_uuid_valid(const char *s, int v4);
/* True if the len bytes at s are well-formed UTF-8 with no NUL. */
int tl_utf8_valid(const char *s, size_t len);

/* Splits "<prefix>/<site>/<reader>/<tap|ack|status>". */
enum tl_reason tl_topic_parse(const char *prefix, const char *topic, struct tl_topic *out);
/* Builds that topic into buf; returns -1 if it does not fit. */
int tl_topic_build(char *buf, size_t size, const char *prefix, const char *site,
                   const char *reader, enum tl_kind kind);

/* Decodes and validates a tap that arrived on topic t at time now.
 * On failure, id_out (TL_UUID_LEN+1 bytes) holds the tap id if one could be
 * read, so the sender can still be told; otherwise it is empty. */
enum tl_reason tl_tap_decode(const void *payload, size_t len, const struct tl_topic *t,
                             int64_t now, struct tl_tap *out, char *id_out);
/* Writes into out the tap payload with its ts moved by offset seconds
 * (an admin re-entering a tap from a reader whose clock was wrong); the
 * result still has to pass tl_tap_decode. Returns its length, or -1 if
 * the payload is not a JSON object with a readable ts or out is small. */
int tl_tap_shift_ts(const void *payload, size_t len, int64_t offset, char *out, size_t size);
/* True if a UID is random: 4 bytes, the first 0x08 (ISO 14443-3: a
 * random UID, as phones and privacy cards send; new at every tap). */
int tl_uid_random(const uint8_t *uid, size_t len);
/* Encodes a tap; returns the length written or -1 if buf is too small. */
int tl_tap_encode(const struct tl_tap *tap, char *buf, size_t size);

int tl_ack_encode(const struct tl_ack *ack, char *buf, size_t size);
enum tl_reason tl_ack_decode(const void *payload, size_t len, struct tl_ack *out);

enum tl_reason tl_status_decode(const void *payload, size_t len, struct tl_status *out);
int tl_status_encode(const struct tl_status *st, char *buf, size_t size);

#endif
