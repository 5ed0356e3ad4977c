/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/slab.h>: its allocators on
 * the C library's, so that AddressSanitizer sees every allocation (and a
 * leak). The GFP flags are taken and ignored; kvmalloc_array() refuses an
 * overflowing size, as the kernel's does. A fuzz target may have one
 * allocation fail, as the kernel's can: fuzz_fail_alloc (shim/kernel.c)
 * counts down to it; fuzz_failed_alloc says that it did.
 */
#ifndef _SS_SHIM_LINUX_SLAB_H
#define _SS_SHIM_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/types.h>

typedef unsigned int gfp_t;

#define GFP_KERNEL		0x1u
#define GFP_KERNEL_ACCOUNT	0x2u
#define __GFP_ZERO		0x100u

extern unsigned int fuzz_fail_alloc;
extern bool fuzz_failed_alloc;

static inline void *kmalloc(size_t size, gfp_t flags)
{
	if (fuzz_fail_alloc && !--fuzz_fail_alloc) {
		fuzz_failed_alloc = true;
		return NULL;
	}
	return flags & __GFP_ZERO ? calloc(1, size ? size : 1) :
				    malloc(size ? size : 1);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kvmalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kvmalloc(bytes, flags);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif
