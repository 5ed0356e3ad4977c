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

#endif
