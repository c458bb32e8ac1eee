/* queue.h - the hand-off between the MQTT network thread and the writer.
 *
 * A bounded FIFO of received messages. The network thread pushes (and
 * blocks when full, which pushes back on the broker rather than dropping);
 * the writer pops whole batches so one transaction covers many taps. */
#ifndef TL_QUEUE_H
#define TL_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

/* One received message and, once handled, the ack to send for it. */
struct msg {
	struct msg *next;
	int64_t received_at;
	char *topic;
	void *payload;
	size_t len;
	int retained;                        /* the broker's retained copy */
	int send_ack;                        /* set by the handler */
	char ack_topic[256];
	char ack[256];
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct msg *head, *tail;
	size_t len, cap;
	int unbounded;  /* set while shutting down: push never waits */
};

int queue_init(struct queue *q, size_t cap);
void queue_destroy(struct queue *q);
/* Copies topic and payload into a new message and appends it. */
int queue_push(struct queue *q, const char *topic, const void *payload, size_t len,
               int retained, int64_t received_at);
/* Takes up to max messages, waiting at most wait_ms for the first one.
 * Returns the count (0 on time-out) and the list in *out. */
size_t queue_pop_batch(struct queue *q, size_t max, int wait_ms, struct msg **out);
/* Messages waiting now. */
size_t queue_length(struct queue *q);
/* Lets pushes go past the bound, so a network thread blocked on a full
 * queue can finish while the writer waits for it to stop. */
void queue_unbound(struct queue *q);
void msg_free_list(struct msg *m);

#endif
