// SPDX-License-Identifier: GPL-2.0
/*
 * The salt replay filter, as shadowsocks-libev's ppbloom: two Bloom
 * filters of the same size; salts go into the current one, lookups check
 * both, and when the current one holds its capacity the older one is
 * cleared and becomes current. So the last capacity salts at least, and
 * at most twice that, are remembered, in bounded memory.
 *
 * One filter for the module: salts are random, so salts of different
 * servers never meet by chance, and a session replayed to another server
 * with another key fails authentication anyway.
 *
 * The salts the server makes itself (TCP responses, UDP replies) go into a
 * second pair of filters, so that one reflected back to the server is
 * refused. They are apart because UDP replies answer whatever reaches an
 * association's socket, from anyone: a flood of such datagrams rotates
 * only the server's own filter and can never evict a client's salt.
 */

#include <linux/bitmap.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "replay.h"

/*
 * Sizing for a false-positive rate of 1e-6 for a lookup, which checks two
 * filters: 5e-7 each when full. The optimum for n salts and rate p is
 * m = -n ln p / (ln 2)^2 bits and k = (m / n) ln 2 hashes: for p = 5e-7,
 * 30.198 bits a salt and k = 20.93, rounded to 21 (at 30.2 bits a salt and
 * k = 21 the rate is 4.98e-7).
 */
#define SS_REPLAY_MILLIBITS_PER_SALT	30199
#define SS_REPLAY_HASHES		21
/* Each filter's bit count must fit in a u32 (reciprocal_scale()). */
#define SS_REPLAY_CAPACITY_MAX		100000000U

static unsigned int replay_capacity = 100000;
module_param(replay_capacity, uint, 0444);
MODULE_PARM_DESC(replay_capacity,
		 "Salts each of the two rotating Bloom filters of the replay filter holds, for the clients' salts and, apart, for the server's own (default 100000; memory: about 7.6 bytes per salt, twice)");

/**
 * struct ss_replay_filter - a pair of rotating Bloom filters
 * @lock: protects @bits' contents, @cur and @count; taken with BHs off, as
 *	UDP may look salts up from softirq context
 * @bits: the two filters, @nbits bits each; @bits[@cur] is the current one
 * @cur: index of the current filter
 * @count: salts added to the current filter since it was last cleared
 * @capacity: salts a filter takes before the filters rotate
 * @nbits: bits in each filter
 * @key: siphash key, random, fixed at initialisation (read without @lock)
 */
struct ss_replay_filter {
	spinlock_t lock;	/* see above */
	unsigned long *bits[2];
	unsigned int cur;
	unsigned int count;
	unsigned int capacity;
	u32 nbits;
	siphash_key_t key;
};

static struct ss_replay_filter ss_replay;	/* the peers' salts */
static struct ss_replay_filter ss_replay_own;	/* the server's own */

static int ss_replay_filter_init(struct ss_replay_filter *f,
				 unsigned int capacity)
{
	u64 nbits;

	if (!capacity || capacity > SS_REPLAY_CAPACITY_MAX)
		return -EINVAL;
	nbits = DIV_ROUND_UP_ULL((u64)capacity * SS_REPLAY_MILLIBITS_PER_SALT,
				 1000);
	nbits = round_up(nbits, BITS_PER_LONG);

	memset(f, 0, sizeof(*f));
	/* One allocation for both filters: the second starts word-aligned. */
	f->bits[0] = kvcalloc(BITS_TO_LONGS(nbits), 2 * sizeof(unsigned long),
			      GFP_KERNEL);
	if (!f->bits[0])
		return -ENOMEM;
	f->bits[1] = f->bits[0] + BITS_TO_LONGS(nbits);
	f->nbits = nbits;
	f->capacity = capacity;
	get_random_bytes(&f->key, sizeof(f->key));
	spin_lock_init(&f->lock);
	return 0;
}

static void ss_replay_filter_free(struct ss_replay_filter *f)
{
	kvfree(f->bits[0]);
	memset(f, 0, sizeof(*f));
}

/*
 * The k bit indices of a salt, by double hashing (Kirsch-Mitzenmacher):
 * g_i = h1 + i * h2 over 32 bits from one 64-bit siphash, h2 odd so that
 * the g_i differ, each mapped onto [0, nbits) by a multiply and a shift.
 */
static void ss_replay_indices(const struct ss_replay_filter *f,
			      const u8 *salt, size_t len,
			      u32 idx[SS_REPLAY_HASHES])
{
	u64 h = siphash(salt, len, &f->key);
	u32 h1 = h, h2 = (h >> 32) | 1;
	unsigned int i;

	for (i = 0; i < SS_REPLAY_HASHES; i++)
		idx[i] = reciprocal_scale(h1 + i * h2, f->nbits);
}

static bool ss_replay_test(const unsigned long *bits,
			   const u32 idx[SS_REPLAY_HASHES])
{
	unsigned int i;

	for (i = 0; i < SS_REPLAY_HASHES; i++)
		if (!test_bit(idx[i], bits))
			return false;
	return true;
}

/* Caller holds f->lock. */
static void ss_replay_set(struct ss_replay_filter *f,
			  const u32 idx[SS_REPLAY_HASHES])
{
	unsigned int i;

	if (f->count >= f->capacity) {
		/*
		 * Rotate: clear the older filter and make it current. The
		 * clear (capacity * 3.8 bytes) runs under the lock, once
		 * every capacity salts.
		 */
		f->cur ^= 1;
		bitmap_zero(f->bits[f->cur], f->nbits);
		f->count = 0;
	}
	for (i = 0; i < SS_REPLAY_HASHES; i++)
		__set_bit(idx[i], f->bits[f->cur]);
	f->count++;
}

/*
 * A salt found only in the older filter is added to the current one as
 * well: a salt being replayed stays remembered however long the replays
 * go on, instead of being forgotten at the next rotation.
 */
static bool ss_replay_filter_check_and_add(struct ss_replay_filter *f,
					   const u8 *salt, size_t len)
{
	u32 idx[SS_REPLAY_HASHES];
	bool seen;

	ss_replay_indices(f, salt, len, idx);
	spin_lock_bh(&f->lock);
	seen = ss_replay_test(f->bits[f->cur], idx);
	if (!seen) {
		seen = ss_replay_test(f->bits[f->cur ^ 1], idx);
		ss_replay_set(f, idx);
	}
	spin_unlock_bh(&f->lock);
	return seen;
}

static bool ss_replay_filter_seen(struct ss_replay_filter *f, const u8 *salt,
				  size_t len)
{
	u32 idx[SS_REPLAY_HASHES];
	bool seen;

	ss_replay_indices(f, salt, len, idx);
	spin_lock_bh(&f->lock);
	seen = ss_replay_test(f->bits[0], idx) || ss_replay_test(f->bits[1], idx);
	spin_unlock_bh(&f->lock);
	return seen;
}

static void ss_replay_filter_add(struct ss_replay_filter *f, const u8 *salt,
				 size_t len)
{
	u32 idx[SS_REPLAY_HASHES];

	ss_replay_indices(f, salt, len, idx);
	spin_lock_bh(&f->lock);
	ss_replay_set(f, idx);
	spin_unlock_bh(&f->lock);
}

/**
 * ss_replay_check_and_add() - refuse a salt seen before, remember it
 * @salt: the salt
 * @len: its length
 *
 * Atomic against concurrent callers: of two sessions with one salt, one
 * passes. Any context but hard interrupts. Best called once the first
 * chunk has authenticated, so that salts sent by anyone without the key
 * cannot flush the filter.
 *
 * Return: true if the salt was (probably: false positives happen at a
 * rate of 1e-6) seen before, from a peer or made by the server itself;
 * false if not, and it is now recorded.
 */
bool ss_replay_check_and_add(const u8 *salt, size_t len)
{
	return ss_replay_filter_seen(&ss_replay_own, salt, len) ||
	       ss_replay_filter_check_and_add(&ss_replay, salt, len);
}

/**
 * ss_replay_add() - remember a salt without checking it
 * @salt: the salt
 * @len: its length
 *
 * For the salts the server generates itself, so that one reflected back
 * to it is refused. They go into a filter of their own (see the top of
 * this file).
 */
void ss_replay_add(const u8 *salt, size_t len)
{
	ss_replay_filter_add(&ss_replay_own, salt, len);
}

/**
 * ss_replay_init() - allocate the filter, sized by replay_capacity
 *
 * Return: 0, -EINVAL for a capacity out of range, or -ENOMEM.
 */
int ss_replay_init(void)
{
	int err;

	err = ss_replay_filter_init(&ss_replay, replay_capacity);
	if (!err) {
		err = ss_replay_filter_init(&ss_replay_own, replay_capacity);
		if (err)
			ss_replay_filter_free(&ss_replay);
	}
	if (err == -EINVAL)
		pr_err("replay_capacity must be 1 to %u\n",
		       SS_REPLAY_CAPACITY_MAX);
	if (err)
		return err;
	pr_debug("replay filter: 2 x %u bits for 2 x %u salts, %u hashes\n",
		 ss_replay.nbits, ss_replay.capacity, SS_REPLAY_HASHES);
	return 0;
}

/**
 * ss_replay_uninit() - free the filter
 */
void ss_replay_uninit(void)
{
	ss_replay_filter_free(&ss_replay);
	ss_replay_filter_free(&ss_replay_own);
}

#include "selftest/replay.c"
