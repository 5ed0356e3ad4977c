// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the sliding window over UDP packet IDs (kmod/window.h),
 * held against its rule (SIP022 section 3.2.4) written out plainly: an ID
 * is accepted iff it is not U64_MAX, was never accepted before, and either
 * nothing was accepted yet, or it is above the highest ID accepted, or
 * less than SS_WINDOW_SIZE below it. The model keeps every ID it accepted
 * in a hash set, so it knows nothing of words, a ring or clearing.
 *
 * The input is a sequence of operations, 9 bytes each (at most 4096): an
 * op byte and a u64, big-endian. Random IDs would almost never land near
 * the window's edges, where a ring goes wrong, so most are taken relative
 * to the highest ID accepted (0 before the first):
 *
 *   op bits 0-1, the ID: 0 the u64 itself; 1 highest - d; 2 highest + d;
 *     3 highest - SS_WINDOW_SIZE - 128 + (u64 & 0xff), about the far edge
 *   op bits 2-3, d: the u64 mod 64, mod SS_WINDOW_BITS, mod 4 *
 *     SS_WINDOW_BITS (jumps past the whole ring), or the u64 itself
 *   op bits 4-5, the call: 0 ss_window_check(); 1 ss_window_update();
 *     2 both, as the receive path does; 3 ss_window_update() twice (a
 *     replay right behind the packet)
 *   op bit 6, instead of the call: ss_window_seen_below() at the ID, a
 *     session going on where an ended one stopped (udp.c); the model
 *     starts over with every ID below it seen
 *
 * Checks that ss_window_check() gives the model's verdict and changes
 * nothing, that ss_window_update() gives it too and changes nothing when
 * it refuses; then, after the last operation, every ID from just behind
 * the window's far edge to just above the highest, since a stale or lost
 * bit shows only for the ID it belongs to.
 */
#include "fuzz.h"
#include "window.h"

#define OPS_MAX		4096
#define OP_LEN		9
/* a power of two, at least twice OPS_MAX: the set never fills */
#define SEEN_SLOTS	8192

static u64 be64(const u8 *p)
{
	u64 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The model. U64_MAX marks a free slot: it is never accepted, so never
 * stored.
 */
static struct {
	bool any;
	u64 high;
	u64 floor;	/* every ID below it seen */
	u64 seen[SEEN_SLOTS];
} ref;

static size_t ref_slot(u64 id)
{
	size_t i = (id * 0x9e3779b97f4a7c15ULL) >> 51;	/* 13 bits */

	while (ref.seen[i] != (u64)-1 && ref.seen[i] != id)
		i = (i + 1) % SEEN_SLOTS;
	return i;
}

static bool ref_accepts(u64 id)
{
	if (id == (u64)-1 || id < ref.floor || ref.seen[ref_slot(id)] == id)
		return false;
	return !ref.any || id > ref.high || ref.high - id < SS_WINDOW_SIZE;
}

static void ref_accept(u64 id)
{
	ref.seen[ref_slot(id)] = id;
	if (!ref.any || id > ref.high)
		ref.high = id;
	ref.any = true;
}

static void check(struct ss_window *w, u64 id)
{
	struct ss_window before = *w;
	bool got = ss_window_check(w, id);

	CHECK(got == ref_accepts(id), "check %llu (highest %llu): %d",
	      (unsigned long long)id, (unsigned long long)ref.high, got);
	CHECK(!memcmp(&before, w, sizeof(before)), "check %llu changed it",
	      (unsigned long long)id);
}

static void update(struct ss_window *w, u64 id)
{
	struct ss_window before = *w;
	bool want = ref_accepts(id);
	bool got = ss_window_update(w, id);

	CHECK(got == want, "update %llu (highest %llu): %d",
	      (unsigned long long)id, (unsigned long long)ref.high, got);
	if (got)
		ref_accept(id);
	else
		CHECK(!memcmp(&before, w, sizeof(before)),
		      "update %llu refused, but changed it",
		      (unsigned long long)id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u64 mod[4] = { 64, SS_WINDOW_BITS, 4 * SS_WINDOW_BITS, 0 };
	/* all zeros: the empty window */
	struct ss_window *w = calloc(1, sizeof(*w));
	size_t i, n = size / OP_LEN;
	u64 id, lo;

	CHECK(w, "out of memory");
	ref.any = false;
	ref.high = 0;
	ref.floor = 0;
	memset(ref.seen, 0xff, sizeof(ref.seen));
	if (n > OPS_MAX)
		n = OPS_MAX;
	for (i = 0; i < n; i++) {
		u8 op = data[i * OP_LEN];
		u64 v = be64(data + i * OP_LEN + 1);
		u64 d = mod[op >> 2 & 3] ? v % mod[op >> 2 & 3] : v;

		switch (op & 3) {
		case 0:
			id = v;
			break;
		case 1:
			id = ref.high - d;
			break;
		case 2:
			id = ref.high + d;
			break;
		default:
			id = ref.high - SS_WINDOW_SIZE - 128 + (v & 0xff);
			break;
		}
		if (op & 0x40) {
			ss_window_seen_below(w, id);
			ref.any = id != 0;
			ref.high = id ? id - 1 : 0;
			ref.floor = id;
			memset(ref.seen, 0xff, sizeof(ref.seen));
			continue;
		}
		switch (op >> 4 & 3) {
		case 0:
			check(w, id);
			break;
		case 1:
			update(w, id);
			break;
		case 2:
			check(w, id);
			update(w, id);
			break;
		default:
			update(w, id);
			update(w, id);
			break;
		}
	}

	/* the sweep: 64 IDs either side of the window, wrapping as u64 */
	lo = ref.high - SS_WINDOW_SIZE - 64;
	for (i = 0; i < SS_WINDOW_SIZE + 129; i++) {
		bool got = ss_window_check(w, lo + i);

		CHECK(got == ref_accepts(lo + i),
		      "after %zu operations, check %llu (highest %llu): %d", n,
		      (unsigned long long)(lo + i),
		      (unsigned long long)ref.high, got);
	}
	free(w);
	return 0;
}
