/*
 * Licensed under the Apache License, Version 2.0; see LICENSE-NOTICE in this
 * directory. The type widths follow APR 1.x's published apr.h for an LP64 Linux
 * build (Debian's libapr1): they are what gives scoreboard structs their layout.
 */
#ifndef PF_APR_COMPAT_H
#define PF_APR_COMPAT_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/times.h>
#include <pthread.h>

#if !defined(__linux__) || !defined(__LP64__)
#error "apr-compat describes APR's LP64 Linux type widths only"
#endif

/* apr.h: apr_int64_t is `long` on LP64; apr_time_t counts microseconds. */
typedef long          pf_apr_int64_t;
typedef unsigned int  pf_apr_uint32_t;
typedef pf_apr_int64_t pf_apr_time_t;

/* apr.h: Debian builds APR with large-file support, so apr_off_t is 64-bit. */
typedef int64_t       pf_apr_off_t;

/* apr_portable.h: with threads, apr_os_thread_t is the platform's pthread_t. */
typedef pthread_t     pf_apr_os_thread_t;

/* apr_general.h: APR_ALIGN_DEFAULT rounds up to a multiple of 8. */
#define PF_APR_ALIGN_DEFAULT_BOUNDARY 8
#define PF_APR_ALIGN_DEFAULT(size) \
    (((size) + (PF_APR_ALIGN_DEFAULT_BOUNDARY - 1)) & ~((size_t)PF_APR_ALIGN_DEFAULT_BOUNDARY - 1))

/* Debian's httpd is built with APR_HAS_THREADS=1 and HAVE_TIMES=1, which
 * each add a member to the scoreboard structs. */
#define PF_APR_HAS_THREADS 1
#define PF_HAVE_TIMES 1

#endif /* PF_APR_COMPAT_H */
