/* queue.c - see queue.h. */
#include "queue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int queue_init(struct queue *q, size_t cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
	if (pthread_mutex_init(&q->lock, NULL) || pthread_cond_init(&q->not_empty, NULL) ||
	    pthread_cond_init(&q->not_full, NULL))
		return -1;
	return 0;
}

void queue_destroy(struct queue *q)
{
	msg_free_list(q->head);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
}

/* A message is one allocation: header, topic and payload together. */
int queue_push(struct queue *q, const char *topic, const void *payload, size_t len,
               int retained, int64_t received_at)
{
	size_t tlen = strlen(topic) + 1;
	struct msg *m = malloc(sizeof *m + tlen + len + 1);

	if (!m)
		return -1;
	memset(m, 0, sizeof *m);
	m->received_at = received_at;
	m->retained = retained != 0;
	m->topic = (char *)(m + 1);
	memcpy(m->topic, topic, tlen);
	m->payload = m->topic + tlen;
	if (len)
		memcpy(m->payload, payload, len);
	((char *)m->payload)[len] = '\0';
	m->len = len;

	pthread_mutex_lock(&q->lock);
	while (q->len >= q->cap && !q->unbounded)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->len++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

size_t queue_pop_batch(struct queue *q, size_t max, int wait_ms, struct msg **out)
{
	struct timespec until;
	struct msg *m, *last = NULL;
	size_t n = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q->lock);
	while (!q->head && wait_ms > 0)
		if (pthread_cond_timedwait(&q->not_empty, &q->lock, &until))
			break;
	m = q->head;
	*out = m;
	while (m && n < max) {
		last = m;
		m = m->next;
		n++;
	}
	if (last) {
		last->next = NULL;
		q->head = m;
		if (!m)
			q->tail = NULL;
		q->len -= n;
		pthread_cond_broadcast(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

void queue_unbound(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->unbounded = 1;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

void msg_free_list(struct msg *m)
{
	while (m) {
		struct msg *next = m->next;
		free(m);
		m = next;
	}
}

size_t queue_length(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
