/* The worker pool: see pool.h. */
#include "model_selection/pool.h"

#include <string.h>
#include <time.h>

static void *worker(void *arg)
{
    ctune__pool_slot *s = arg;
    ctune__pool *p = s->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (s->state != CTUNE__SLOT_RUN && !p->quit)
            pthread_cond_wait(&p->work, &p->mu);
        if (s->state != CTUNE__SLOT_RUN)
            break;
        size_t t = s->task;
        pthread_mutex_unlock(&p->mu);
        p->run(p->ctx, t, p->threads, s->local);
        pthread_mutex_lock(&p->mu);
        s->state = CTUNE__SLOT_DONE;
        pthread_cond_signal(&p->finished);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int ctune__pool_start(ctune__pool *p, ctune__pool_slot *slots, int want, int threads,
                      void (*run)(void *ctx, size_t task, int threads, void *local), void *ctx)
{
    memset(p, 0, sizeof *p);
    p->threads = threads > 0 ? threads : 1;
    p->run = run;
    p->ctx = ctx;
    if (want < 1 || pthread_mutex_init(&p->mu, NULL) != 0)
        return 0;
    if (pthread_cond_init(&p->work, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return 0;
    }
    if (pthread_cond_init(&p->finished, NULL) != 0) {
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        return 0;
    }
    p->slots = slots;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < want; i++) {
        slots[i].pool = p;
        slots[i].state = CTUNE__SLOT_IDLE;
        if (pthread_create(&slots[i].tid, NULL, worker, &slots[i]) != 0)
            break; /* run with the workers we have */
        p->n++;
    }
    pthread_mutex_unlock(&p->mu);
    if (p->n == 0) {
        pthread_cond_destroy(&p->finished);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        p->slots = NULL;
    }
    return p->n;
}

int ctune__pool_submit(ctune__pool *p, size_t task)
{
    int handed = 0;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n && !handed; i++)
        if (p->slots[i].state == CTUNE__SLOT_IDLE) {
            p->slots[i].task = task;
            p->slots[i].state = CTUNE__SLOT_RUN;
            handed = 1;
        }
    if (handed)
        pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    return handed;
}

size_t ctune__pool_collect(ctune__pool *p, size_t *tasks, size_t cap, int *running, int *idle)
{
    size_t got = 0;
    int run = 0, free_slots = 0;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n; i++) {
        ctune__pool_slot *s = &p->slots[i];
        if (s->state == CTUNE__SLOT_DONE && got < cap) {
            tasks[got++] = s->task;
            s->state = CTUNE__SLOT_IDLE;
        }
        run += s->state == CTUNE__SLOT_RUN;
        free_slots += s->state == CTUNE__SLOT_IDLE;
    }
    pthread_mutex_unlock(&p->mu);
    if (running)
        *running = run;
    if (idle)
        *idle = free_slots;
    return got;
}

void ctune__pool_wait(ctune__pool *p, long ns)
{
    pthread_mutex_lock(&p->mu);
    int ready = 0, running = 0;
    for (int i = 0; i < p->n; i++) {
        ready |= p->slots[i].state == CTUNE__SLOT_DONE;
        running |= p->slots[i].state == CTUNE__SLOT_RUN;
    }
    if (!ready && (running || ns >= 0)) {
        if (ns < 0) {
            pthread_cond_wait(&p->finished, &p->mu);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += ns / 1000000000L;
            ts.tv_nsec += ns % 1000000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&p->finished, &p->mu, &ts);
        }
    }
    pthread_mutex_unlock(&p->mu);
}

void ctune__pool_stop(ctune__pool *p)
{
    if (p->n == 0)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->slots[i].tid, NULL);
    p->n = 0;
    p->slots = NULL;
    pthread_cond_destroy(&p->finished);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
}
