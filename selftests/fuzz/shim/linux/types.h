/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/types.h>, for building kmod/
 * parser files into the fuzz targets (selftests/fuzz/). The uapi header
 * gives __u8 .. __be32; the kernel-internal names, bool, byte order and
 * the errno values the kernel headers would bring in are added here.
 */
#ifndef _SS_SHIM_LINUX_TYPES_H
#define _SS_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;

#ifndef __force
#define __force
#endif

/* byte order (in the kernel, every header brings these in) */
#define cpu_to_be16(x)	((__force __be16)htobe16(x))
#define cpu_to_be32(x)	((__force __be32)htobe32(x))
#define be16_to_cpu(x)	be16toh((__force u16)(x))
#define be32_to_cpu(x)	be32toh((__force u32)(x))
#define cpu_to_be64(x)	((__force __be64)htobe64(x))
#define be64_to_cpu(x)	be64toh((__force u64)(x))

/* <linux/limits.h>, <linux/minmax.h> (without its type checks' detail),
 * <linux/build_bug.h> and the sort() callbacks' types */
#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)

#define max(x, y) ({				\
	typeof(x) __x = (x);			\
	typeof(y) __y = (y);			\
	(void)(&__x == &__y);			\
	__x > __y ? __x : __y; })
#define min(x, y) ({				\
	typeof(x) __x = (x);			\
	typeof(y) __y = (y);			\
	(void)(&__x == &__y);			\
	__x < __y ? __x : __y; })

#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)

typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);

#endif
