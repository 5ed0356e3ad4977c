// SPDX-License-Identifier: GPL-2.0
/*
 * The salt pool of Shadowsocks 2022 servers (saltpool.h).
 *
 * A hash table of the salts, keyed with a random siphash key (salts come
 * from the network: nobody may choose salts that share a bucket), and the
 * same salts in a FIFO in the order they came. Salts come in time order,
 * so the FIFO's head is always the oldest: expiry pops from the head until
 * it is younger than %SS_SALT_POOL_SECS, at every addition and in a work
 * that runs while the pool is not empty (so an idle pool gives its memory
 * back). Each addition and expiry is O(1), amortised.
 *
 * Memory: at most @limit salts, each in a 96-byte allocation charged to
 * the memory cgroup of the process that made the pool (salts are added
 * from softirqs and workers, whose own cgroup is nobody's), allocated only
 * for a salt not seen (a replay flood allocates nothing), and a bucket
 * array of 8 bytes per 4 salts of the limit, allocated with the pool. A
 * pool of limit L holds every salt of the last %SS_SALT_POOL_SECS seconds
 * as long as sessions arrive at fewer than L / 62 a second; above that,
 * new sessions are refused (-ENOSPC) until the oldest salts expire. No
 * salt is ever forgotten before its time.
 *
 * Each 2022 server has one (servers of a namespace with the same method
 * and key share it, so that a request recorded on one is a replay on the
 * others): a flood of sessions on one server, by anyone who has its key,
 * fills its pool only.
 */

#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "cipher.h"
#include "saltpool.h"

/* The pool's limit may not exceed this: 10 M salts, about 1 GiB. */
#define SS_SALT_POOL_LIMIT_MAX	10000000U

/*
 * 200000 salts: 19.2 MB of salts and 400 KB of buckets at most, per
 * 2022 server (or set of servers with one key); every salt is kept its
 * time while new sessions come at up to 3225 a second.
 */
static unsigned int salt_pool_limit = 200000;
module_param(salt_pool_limit, uint, 0444);
MODULE_PARM_DESC(salt_pool_limit,
		 "Salts the salt pool of a Shadowsocks 2022 server holds (servers of a namespace with the same method and key share one; default 200000, 96 bytes each, plus 2 bytes of buckets per salt of the limit); when it is full its new sessions are refused until salts are 62 s old");

/**
 * struct ss_salt - one salt in a pool
 * @node: in the pool's bucket
 * @next: the next younger salt in the FIFO
 * @seen: jiffies when it came
 * @len: its length
 * @salt: the salt
 */
struct ss_salt {
	struct hlist_node node;
	struct ss_salt *next;
	unsigned long seen;
	u8 len;
	u8 salt[SS_SALT_MAX_LEN];
};

/**
 * struct ss_salt_pool - the salts of the last %SS_SALT_POOL_SECS seconds
 * @lock: protects everything below but @key, @limit and @mask; taken with
 *	BHs off, so that any context may add
 * @head: the oldest salt, NULL if none
 * @tail: the youngest salt
 * @count: salts in the pool
 * @limit: the most it holds
 * @mask: buckets - 1
 * @key: the hash's key, random
 * @ref: the servers that use it (ss_salt_pool_get(), ss_salt_pool_put())
 * @memcg: the memory cgroup the salts are charged to (NULL: none)
 * @gc: expires salts while the pool is not empty
 * @buckets: the hash table
 */
struct ss_salt_pool {
	spinlock_t lock;	/* see above */
	struct ss_salt *head;
	struct ss_salt *tail;
	unsigned int count;
	unsigned int limit;
	u32 mask;
	siphash_key_t key;
	struct kref ref;
	struct mem_cgroup *memcg;
	struct delayed_work gc;
	struct hlist_head *buckets;
};

static unsigned long ss_salt_pool_ttl(void)
{
	return SS_SALT_POOL_SECS * HZ;
}

/* Drop the salts that have been in for their time by @now; under the lock. */
static void ss_salt_pool_expire(struct ss_salt_pool *p, unsigned long now)
{
	struct ss_salt *s;

	lockdep_assert_held(&p->lock);
	while ((s = p->head) && time_after_eq(now, s->seen + ss_salt_pool_ttl())) {
		p->head = s->next;
		if (!p->head)
			p->tail = NULL;
		hlist_del(&s->node);
		p->count--;
		kfree(s);
	}
}

/* Run the expiry work when the oldest salt is due; under the lock. */
static void ss_salt_pool_arm(struct ss_salt_pool *p, unsigned long now)
{
	unsigned long due;

	lockdep_assert_held(&p->lock);
	if (!p->head)
		return;
	due = p->head->seen + ss_salt_pool_ttl();
	queue_delayed_work(system_power_efficient_wq, &p->gc,
			   time_after(due, now) ? due - now : 0);
}

static void ss_salt_pool_gc(struct work_struct *work)
{
	struct ss_salt_pool *p = container_of(to_delayed_work(work),
					      struct ss_salt_pool, gc);
	unsigned long now = jiffies;

	spin_lock_bh(&p->lock);
	ss_salt_pool_expire(p, now);
	ss_salt_pool_arm(p, now);
	spin_unlock_bh(&p->lock);
}

/**
 * ss_salt_pool_new() - make a salt pool
 * @limit: the most salts it holds (1 to 10 M)
 *
 * Process context; the pool and its salts are charged to the caller's
 * memory cgroup.
 *
 * Return: the pool, or an ERR_PTR(): -EINVAL for a limit out of range,
 * -ENOMEM.
 */
struct ss_salt_pool *ss_salt_pool_new(unsigned int limit)
{
	struct ss_salt_pool *p;
	u32 nbuckets;

	if (!limit || limit > SS_SALT_POOL_LIMIT_MAX)
		return ERR_PTR(-EINVAL);
	nbuckets = roundup_pow_of_two(DIV_ROUND_UP(limit, 4));

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->buckets = kvcalloc(nbuckets, sizeof(*p->buckets),
			      GFP_KERNEL_ACCOUNT);
	if (!p->buckets) {
		kfree(p);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&p->lock);
	p->limit = limit;
	p->mask = nbuckets - 1;
	get_random_bytes(&p->key, sizeof(p->key));
	INIT_DELAYED_WORK(&p->gc, ss_salt_pool_gc);
	kref_init(&p->ref);
	p->memcg = get_mem_cgroup_from_mm(current->mm);
	return p;
}

/**
 * ss_salt_pool_free() - free a pool and its salts
 * @p: the pool, or NULL; nobody adds to it any more
 *
 * Sleeps (waits for the expiry work).
 */
void ss_salt_pool_free(struct ss_salt_pool *p)
{
	struct ss_salt *s, *next;

	if (!p)
		return;
	cancel_delayed_work_sync(&p->gc);
	for (s = p->head; s; s = next) {
		next = s->next;
		kfree(s);
	}
	kvfree(p->buckets);
	mem_cgroup_put(p->memcg);
	kfree(p);
}

/* A salt, charged to the pool maker's memory cgroup; under the lock. */
static struct ss_salt *ss_salt_pool_alloc(struct ss_salt_pool *p)
{
	struct mem_cgroup *old = set_active_memcg(p->memcg);
	struct ss_salt *s;

	/* not GFP_ATOMIC: its __GFP_HIGH would let the charge pass the limit */
	s = kmalloc(sizeof(*s), GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	set_active_memcg(old);
	return s;
}

/**
 * ss_salt_pool_check_param() - check salt_pool_limit at module load
 *
 * Return: 0, or -EINVAL for a limit out of range.
 */
int ss_salt_pool_check_param(void)
{
	if (salt_pool_limit && salt_pool_limit <= SS_SALT_POOL_LIMIT_MAX)
		return 0;
	pr_err("salt_pool_limit must be 1 to %u\n", SS_SALT_POOL_LIMIT_MAX);
	return -EINVAL;
}

/**
 * ss_salt_pool_new_server() - a new pool for a 2022 server
 *
 * Of salt_pool_limit salts; as ss_salt_pool_new() otherwise. Servers share
 * a pool through ss_salt_pool_get() and ss_salt_pool_put().
 *
 * Return: the pool, one reference held, or an ERR_PTR().
 */
struct ss_salt_pool *ss_salt_pool_new_server(void)
{
	return ss_salt_pool_new(salt_pool_limit);
}

/**
 * ss_salt_pool_get() - take another reference on a pool
 * @p: the pool; the caller holds a reference, or a lock that keeps it
 *
 * Return: @p.
 */
struct ss_salt_pool *ss_salt_pool_get(struct ss_salt_pool *p)
{
	kref_get(&p->ref);
	return p;
}

static void ss_salt_pool_release(struct kref *ref)
{
	ss_salt_pool_free(container_of(ref, struct ss_salt_pool, ref));
}

/**
 * ss_salt_pool_put() - drop a reference; the last frees the pool
 * @p: the pool, or NULL
 *
 * Process context: the last put sleeps (ss_salt_pool_free()).
 */
void ss_salt_pool_put(struct ss_salt_pool *p)
{
	if (p)
		kref_put(&p->ref, ss_salt_pool_release);
}

/* ss_salt_pool_add() at @now: the self-tests give their own clock. */
static int ss_salt_pool_add_at(struct ss_salt_pool *p, const u8 *salt,
			       size_t len, unsigned long now)
{
	struct hlist_head *bucket;
	struct ss_salt *s, *new;
	int err = 0;

	if (WARN_ON_ONCE(!len || len > SS_SALT_MAX_LEN))
		return -EINVAL;
	bucket = &p->buckets[siphash(salt, len, &p->key) & p->mask];

	spin_lock_bh(&p->lock);
	ss_salt_pool_expire(p, now);
	hlist_for_each_entry(s, bucket, node) {
		if (s->len == len && !memcmp(s->salt, salt, len)) {
			err = -EEXIST;
			goto out;
		}
	}
	if (p->count >= p->limit) {
		err = -ENOSPC;
		goto out;
	}
	new = ss_salt_pool_alloc(p);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	new->next = NULL;
	new->seen = now;
	new->len = len;
	memcpy(new->salt, salt, len);
	hlist_add_head(&new->node, bucket);
	if (p->tail)
		p->tail->next = new;
	else
		p->head = new;
	p->tail = new;
	p->count++;
	ss_salt_pool_arm(p, now);
out:
	spin_unlock_bh(&p->lock);
	return err;
}

/**
 * ss_salt_pool_add() - check a request salt and remember it
 * @p: the pool
 * @salt: the salt
 * @len: its length (1 to %SS_SALT_MAX_LEN); salts of different lengths
 *	never match
 *
 * Any context.
 *
 * Return: 0 for a salt not seen in the last %SS_SALT_POOL_SECS seconds,
 * now remembered; -EEXIST for one that was (a replay); -ENOSPC when the
 * pool holds its limit (the session must be refused: the salt is not
 * remembered); -ENOMEM.
 */
int ss_salt_pool_add(struct ss_salt_pool *p, const u8 *salt, size_t len)
{
	return ss_salt_pool_add_at(p, salt, len, jiffies);
}

/**
 * ss_salt_pool_count() - salts in a pool
 * @p: the pool
 *
 * Return: how many it holds now (for counters and tests).
 */
unsigned int ss_salt_pool_count(struct ss_salt_pool *p)
{
	unsigned int n;

	spin_lock_bh(&p->lock);
	n = p->count;
	spin_unlock_bh(&p->lock);
	return n;
}

#include "selftest/saltpool.c"
