/*
 * Licensed under the Apache License, Version 2.0; see LICENSE-NOTICE in this
 * directory. The member order and types follow httpd 2.4's published
 * include/scoreboard.h so that a segment written by either is readable by the
 * other; member names are kept identical so that layouts can be compared by name.
 */
#ifndef PF_SCOREBOARD_H
#define PF_SCOREBOARD_H

#include "apr_compat.h"

typedef int pf_ap_generation_t;

typedef struct pf_worker_score {
#if PF_APR_HAS_THREADS
    pf_apr_os_thread_t tid;
#endif
    int thread_num;
    pid_t pid;
    pf_ap_generation_t generation;
    unsigned char status;
    unsigned short conn_count;
    pf_apr_off_t conn_bytes;
    unsigned long access_count;
    pf_apr_off_t bytes_served;
    unsigned long my_access_count;
    pf_apr_off_t my_bytes_served;
    pf_apr_time_t start_time;
    pf_apr_time_t stop_time;
    pf_apr_time_t last_used;
#if PF_HAVE_TIMES
    struct tms times;
#endif
    char client[32];
    char request[64];
    char vhost[32];
    char protocol[16];
    pf_apr_time_t duration;
    char client64[64];
} pf_worker_score;

typedef struct pf_global_score {
    int server_limit;
    int thread_limit;
    pf_ap_generation_t running_generation;
    pf_apr_time_t restart_time;
#if PF_HAVE_TIMES
    struct tms times;
#endif
} pf_global_score;

typedef struct pf_process_score {
    pid_t pid;
    pf_ap_generation_t generation;
    char quiescing;
    char not_accepting;
    pf_apr_uint32_t connections;
    pf_apr_uint32_t write_completion;
    pf_apr_uint32_t lingering_close;
    pf_apr_uint32_t keep_alive;
    pf_apr_uint32_t suspended;
    int bucket;
    pf_apr_uint32_t wait_io;
} pf_process_score;

#endif /* PF_SCOREBOARD_H */
