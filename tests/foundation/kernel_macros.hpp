// Macros a kernel or C library commonly defines; every xenabi header must parse after them and
// leave them defined as they were (see include/xenabi/core/macro_shield_begin.inc).
#pragma once
#ifndef DEBUG
#define DEBUG 0x5a5a
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE 0x5a5a
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT 0x5a5a
#endif
#ifndef PAGE_MASK
#define PAGE_MASK 0x5a5a
#endif
#ifndef MAX
#define MAX 0x5a5a
#endif
#ifndef MIN
#define MIN 0x5a5a
#endif
#ifndef ERROR
#define ERROR 0x5a5a
#endif
#ifndef SUCCESS
#define SUCCESS 0x5a5a
#endif
#ifndef READ
#define READ 0x5a5a
#endif
#ifndef WRITE
#define WRITE 0x5a5a
#endif
#ifndef TIMER
#define TIMER 0x5a5a
#endif
#ifndef CONSOLE
#define CONSOLE 0x5a5a
#endif
#ifndef SELF
#define SELF 0x5a5a
#endif
#ifndef IDLE
#define IDLE 0x5a5a
#endif
#ifndef NONE
#define NONE 0x5a5a
#endif
#ifndef INVALID
#define INVALID 0x5a5a
#endif
#ifndef PAGE
#define PAGE 0x5a5a
#endif
#ifndef BIT
#define BIT 0x5a5a
#endif
#ifndef ALIGN
#define ALIGN 0x5a5a
#endif
#ifndef DOMAIN
#define DOMAIN 0x5a5a
#endif
#ifndef OVERFLOW
#define OVERFLOW 0x5a5a
#endif
#ifndef UNDERFLOW
#define UNDERFLOW 0x5a5a
#endif
#ifndef SING
#define SING 0x5a5a
#endif
#ifndef TLOSS
#define TLOSS 0x5a5a
#endif
#ifndef PLOSS
#define PLOSS 0x5a5a
#endif
#ifndef DEFAULT
#define DEFAULT 0x5a5a
#endif
#ifndef UNKNOWN
#define UNKNOWN 0x5a5a
#endif
#ifndef RUNNING
#define RUNNING 0x5a5a
#endif
#ifndef RUNNABLE
#define RUNNABLE 0x5a5a
#endif
#ifndef BLOCKED
#define BLOCKED 0x5a5a
#endif
#ifndef OFFLINE
#define OFFLINE 0x5a5a
#endif
#ifndef ANY
#define ANY 0x5a5a
#endif
#ifndef NORMAL
#define NORMAL 0x5a5a
#endif
#ifndef PRESENT
#define PRESENT 0x5a5a
#endif
#ifndef TRUE
#define TRUE 0x5a5a
#endif
#ifndef FALSE
#define FALSE 0x5a5a
#endif
#ifndef OK
#define OK 0x5a5a
#endif
#ifndef ON
#define ON 0x5a5a
#endif
#ifndef OFF
#define OFF 0x5a5a
#endif
#ifndef IN
#define IN 0x5a5a
#endif
#ifndef OUT
#define OUT 0x5a5a
#endif
#ifndef VERBOSE
#define VERBOSE 0x5a5a
#endif
#ifndef NR_CPUS
#define NR_CPUS 0x5a5a
#endif
#ifndef MAXCPU
#define MAXCPU 0x5a5a
#endif
#ifndef NCPU
#define NCPU 0x5a5a
#endif
#ifndef KERNBASE
#define KERNBASE 0x5a5a
#endif
#ifndef NBPG
#define NBPG 0x5a5a
#endif
#ifndef CONNECTED
#define CONNECTED 0x5a5a
#endif
#ifndef CLOSED
#define CLOSED 0x5a5a
#endif
#ifndef CLOSING
#define CLOSING 0x5a5a
#endif
#ifndef INITIALISING
#define INITIALISING 0x5a5a
#endif
#ifndef READY
#define READY 0x5a5a
#endif
#ifndef EPERM
#define EPERM 0x5a5a
#endif
#ifndef ENOENT
#define ENOENT 0x5a5a
#endif
#ifndef ESRCH
#define ESRCH 0x5a5a
#endif
#ifndef EINTR
#define EINTR 0x5a5a
#endif
#ifndef EIO
#define EIO 0x5a5a
#endif
#ifndef ENXIO
#define ENXIO 0x5a5a
#endif
#ifndef E2BIG
#define E2BIG 0x5a5a
#endif
#ifndef ENOEXEC
#define ENOEXEC 0x5a5a
#endif
#ifndef EBADF
#define EBADF 0x5a5a
#endif
#ifndef ECHILD
#define ECHILD 0x5a5a
#endif
#ifndef EAGAIN
#define EAGAIN 0x5a5a
#endif
#ifndef EWOULDBLOCK
#define EWOULDBLOCK 0x5a5a
#endif
#ifndef ENOMEM
#define ENOMEM 0x5a5a
#endif
#ifndef EACCES
#define EACCES 0x5a5a
#endif
#ifndef EFAULT
#define EFAULT 0x5a5a
#endif
#ifndef EBUSY
#define EBUSY 0x5a5a
#endif
#ifndef EEXIST
#define EEXIST 0x5a5a
#endif
#ifndef EXDEV
#define EXDEV 0x5a5a
#endif
#ifndef ENODEV
#define ENODEV 0x5a5a
#endif
#ifndef ENOTDIR
#define ENOTDIR 0x5a5a
#endif
#ifndef EISDIR
#define EISDIR 0x5a5a
#endif
#ifndef EINVAL
#define EINVAL 0x5a5a
#endif
#ifndef ENFILE
#define ENFILE 0x5a5a
#endif
#ifndef EMFILE
#define EMFILE 0x5a5a
#endif
#ifndef ENOSPC
#define ENOSPC 0x5a5a
#endif
#ifndef EROFS
#define EROFS 0x5a5a
#endif
#ifndef EMLINK
#define EMLINK 0x5a5a
#endif
#ifndef EDOM
#define EDOM 0x5a5a
#endif
#ifndef ERANGE
#define ERANGE 0x5a5a
#endif
#ifndef EDEADLK
#define EDEADLK 0x5a5a
#endif
#ifndef EDEADLOCK
#define EDEADLOCK 0x5a5a
#endif
#ifndef ENAMETOOLONG
#define ENAMETOOLONG 0x5a5a
#endif
#ifndef ENOLCK
#define ENOLCK 0x5a5a
#endif
#ifndef ENOSYS
#define ENOSYS 0x5a5a
#endif
#ifndef ENOTEMPTY
#define ENOTEMPTY 0x5a5a
#endif
#ifndef ENODATA
#define ENODATA 0x5a5a
#endif
#ifndef ETIME
#define ETIME 0x5a5a
#endif
#ifndef EBADMSG
#define EBADMSG 0x5a5a
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 0x5a5a
#endif
#ifndef EILSEQ
#define EILSEQ 0x5a5a
#endif
#ifndef ERESTART
#define ERESTART 0x5a5a
#endif
#ifndef ENOTSOCK
#define ENOTSOCK 0x5a5a
#endif
#ifndef EMSGSIZE
#define EMSGSIZE 0x5a5a
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP 0x5a5a
#endif
#ifndef EADDRINUSE
#define EADDRINUSE 0x5a5a
#endif
#ifndef EADDRNOTAVAIL
#define EADDRNOTAVAIL 0x5a5a
#endif
#ifndef ENOBUFS
#define ENOBUFS 0x5a5a
#endif
#ifndef EISCONN
#define EISCONN 0x5a5a
#endif
#ifndef ENOTCONN
#define ENOTCONN 0x5a5a
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT 0x5a5a
#endif
#ifndef ECONNREFUSED
#define ECONNREFUSED 0x5a5a
#endif
