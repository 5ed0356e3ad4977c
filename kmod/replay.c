// SPDX-License-Identifier: GPL-2.0
/*
 * The salt replay filter, as shadowsocks-libev's ppbloom: two Bloom
 * filters of the same size; salts go into the current one, lookups check
 * both, and when the current one holds its capacity the older one is
 * cleared and becomes current. So the last capacity salts at least, and
 * at most twice that, are remembered, in bounded memory.
 *
 * One filter per network namespace, made with its first server and kept
 * until the namespace goes, charged to whoever made that server: a user
 * who owns a server in a namespace of their own can send it valid salts at
 * will, and must not thereby flush the salts other namespaces' servers
 * remember. Within a namespace, salts of different servers never meet by
 * chance (they are random), and a session replayed to another server with
 * another key fails authentication anyway.
 *
 * The salts the server makes itself (TCP responses, UDP replies) are not
 * remembered but recognised: their first 16 bytes are a counter and a
 * secret tag, encrypted with AES under a key of the module's
 * (ss_replay_own_salt()). One sent back to the server is refused however
 * long ago it was made, and no flood of anything can make the server
 * forget it: UDP replies answer whatever reaches an association's socket,
 * from anyone, so they must not go into a filter that rotates. The
 * counter makes them distinct; the cipher makes them look as random as
 * any other salt.
 */

#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/kref.h>
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
		 "Salts each of the two rotating Bloom filters of a network namespace's replay filter holds (default 100000; memory: about 7.6 bytes per salt, per namespace with a server)");

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

/**
 * struct ss_replay - a network namespace's replay filter
 * @ref: held by the namespace and by each of its servers, whose
 *	connections and associations use the filter until they are freed
 * @f: the clients' salts
 */
struct ss_replay {
	struct kref ref;
	struct ss_replay_filter f;
};

/*
 * What makes the server's own salts: the AES key, the tag (the second
 * half of each encrypted block) and the counter (the first half). Set at
 * load, read without a lock.
 */
static struct crypto_aes_ctx ss_own_aes;
static u8 ss_own_tag[8];
static atomic64_t ss_own_count;

static int ss_replay_filter_init(struct ss_replay_filter *f,
				 unsigned int capacity, gfp_t gfp)
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
			      gfp);
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

/**
 * ss_replay_own_salt() - make a salt for the server role
 * @salt: where; its first 16 bytes are the encrypted counter and tag, the
 *	rest is random
 * @len: its length, at least AES_BLOCK_SIZE
 *
 * Any context but hard interrupts.
 */
void ss_replay_own_salt(u8 *salt, size_t len)
{
	u8 block[AES_BLOCK_SIZE];
	__le64 count = cpu_to_le64(atomic64_inc_return(&ss_own_count));

	memcpy(block, &count, sizeof(count));
	memcpy(block + sizeof(count), ss_own_tag, sizeof(ss_own_tag));
	aes_encrypt(&ss_own_aes, salt, block);
	get_random_bytes(salt + AES_BLOCK_SIZE, len - AES_BLOCK_SIZE);
	memzero_explicit(block, sizeof(block));
}

static bool ss_replay_is_own(const u8 *salt)
{
	u8 block[AES_BLOCK_SIZE];
	bool own;

	aes_decrypt(&ss_own_aes, block, salt);
	own = !crypto_memneq(block + 8, ss_own_tag, sizeof(ss_own_tag));
	memzero_explicit(block, sizeof(block));
	return own;
}

/**
 * ss_replay_check_and_add() - refuse a salt seen before, remember it
 * @r: the server's namespace's filter
 * @salt: the salt
 * @len: its length, at least AES_BLOCK_SIZE
 *
 * Atomic against concurrent callers: of two sessions with one salt, one
 * passes. Any context but hard interrupts. Best called once the first
 * chunk has authenticated, so that salts sent by anyone without the key
 * cannot flush the filter.
 *
 * Return: true if the salt is one the server made (exactly) or was
 * (probably: false positives happen at a rate of 1e-6) seen before; false
 * if not, and it is now recorded.
 */
bool ss_replay_check_and_add(struct ss_replay *r, const u8 *salt, size_t len)
{
	return ss_replay_is_own(salt) ||
	       ss_replay_filter_check_and_add(&r->f, salt, len);
}

/**
 * ss_replay_net_get() - the namespace's filter, made on first use
 * @slot: the namespace's pointer to it; the caller holds the namespace's
 *	lock
 *
 * The memory is charged to the caller's memory cgroup.
 *
 * Return: a new reference on the filter, or NULL without memory.
 */
struct ss_replay *ss_replay_net_get(struct ss_replay **slot)
{
	struct ss_replay *r = *slot;

	if (r) {
		kref_get(&r->ref);
		return r;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	if (ss_replay_filter_init(&r->f, replay_capacity,
				  GFP_KERNEL_ACCOUNT)) {
		kfree(r);
		return NULL;
	}
	kref_init(&r->ref);	/* the namespace's */
	kref_get(&r->ref);	/* the caller's */
	*slot = r;
	return r;
}

static void ss_replay_release(struct kref *ref)
{
	struct ss_replay *r = container_of(ref, struct ss_replay, ref);

	ss_replay_filter_free(&r->f);
	kfree(r);
}

/**
 * ss_replay_put() - drop a reference on a namespace's filter
 * @r: the filter, or NULL
 *
 * Any context but hard interrupts (kvfree() defers what needs to sleep).
 */
void ss_replay_put(struct ss_replay *r)
{
	if (r)
		kref_put(&r->ref, ss_replay_release);
}

/**
 * ss_replay_init() - check replay_capacity, key the server's own salts
 *
 * Return: 0, or -EINVAL for a capacity out of range.
 */
int ss_replay_init(void)
{
	u8 key[AES_KEYSIZE_256];
	int err;

	if (!replay_capacity || replay_capacity > SS_REPLAY_CAPACITY_MAX) {
		pr_err("replay_capacity must be 1 to %u\n",
		       SS_REPLAY_CAPACITY_MAX);
		return -EINVAL;
	}
	get_random_bytes(key, sizeof(key));
	err = aes_expandkey(&ss_own_aes, key, sizeof(key));
	memzero_explicit(key, sizeof(key));
	if (err)
		return err;
	get_random_bytes(ss_own_tag, sizeof(ss_own_tag));
	atomic64_set(&ss_own_count, 0);
	pr_debug("replay filters: 2 x %u salts per namespace, %u hashes\n",
		 replay_capacity, SS_REPLAY_HASHES);
	return 0;
}

/**
 * ss_replay_uninit() - forget the key of the server's own salts
 */
void ss_replay_uninit(void)
{
	memzero_explicit(&ss_own_aes, sizeof(ss_own_aes));
	memzero_explicit(ss_own_tag, sizeof(ss_own_tag));
}

#include "selftest/replay.c"
