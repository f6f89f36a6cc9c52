/* Unix types behind the platform contract (src/platform.h). */
#ifndef HOT_PLATFORM_TYPES_H
#define HOT_PLATFORM_TYPES_H

#include <pthread.h>

typedef pthread_mutex_t hot__mutex;
typedef pthread_cond_t hot__cond;
typedef struct hot__thread {
    pthread_t id;
    void (*fn)(void *);
    void *arg;
} hot__thread;

#endif
