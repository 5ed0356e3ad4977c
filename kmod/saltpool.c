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
 *
 * A pool outlives its last server: it is retired to its namespace's
 * &struct ss_salt_pools until its youngest salt has had its time, so that a
 * server deleted and made again with the same method and key takes it back
 * and still refuses a request recorded before. A retired pool gives its
 * bucket array back (nothing is added to it; an adopting server rebuilds
 * one), so that a caller making and deleting servers in a loop keeps only
 * the salts its own sessions brought, already charged to it.
 *
 * A pool also keeps records, for the same time, of what else must outlive
 * a server: the UDP sessions a server ends when it is deleted (udp.c), each
 * with the packet ID it had reached. A flag tells them from salts, so that
 * neither is ever found for the other. They are kept even when the pool is
 * full: there is one per session the server had, which its max_conns
 * bounds.
 *
 * And it keeps the claims of its live servers' UDP sessions (udp.c): a
 * client session lives on one server of those that share the pool, so
 * that a packet replayed to another is refused there (its window is on
 * the first). A claim is embedded in its session and is not a salt: not in
 * the FIFO, not counted, and released when the session ends. The claims
 * are in a resizable hash table (servers of any max_conns share a pool, so
 * no size fixed at its creation fits), under a siphash key of the
 * module's and the table's seed: session IDs come from the network.
 */

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/once.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <crypto/algapi.h>

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
 * @record: a record (ss_salt_pool_record()), its value after its key in
 *	@salt; else a salt
 * @superseded: a record with a newer one of its key: out of its bucket
 *	(so that a bucket holds one record a key, however often the key is
 *	recorded), in the FIFO until it expires
 * @salt: the salt, or the record's key and value
 */
struct ss_salt {
	struct hlist_node node;
	struct ss_salt *next;
	unsigned long seen;
	u8 len;
	bool record;
	bool superseded;
	u8 salt[SS_SALT_MAX_LEN];
};

/**
 * struct ss_salt_pool - the salts of the last %SS_SALT_POOL_SECS seconds
 * @lock: protects everything below but @key, @limit, @mask and @claims
 *	(which locks itself); taken with BHs off, so that any context may add
 * @head: the oldest salt, NULL if none
 * @tail: the youngest salt
 * @count: salts in the pool
 * @limit: the most it holds
 * @mask: buckets - 1
 * @key: the hash's key, random
 * @ref: the servers that use it (ss_salt_pool_get(), ss_salt_pool_retire())
 * @memcg: the memory cgroup the salts are charged to (NULL: none)
 * @gc: expires salts while the pool is not empty
 * @buckets: the hash table; NULL while the pool is retired
 * @owner: what its servers share besides the key (their method); opaque
 * @owner_key: their key, which a server made again must match to adopt it
 * @owner_key_len: its length
 * @retired: in &ss_salt_pools.retired while retired
 * @by_key: in &ss_salt_pools.by_key while retired
 * @until: jiffies when a retired pool's salts have all had their time
 * @claims: the keys its servers' live sessions hold (ss_salt_pool_claim());
 *	empty once the pool is retired
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
	const void *owner;
	u8 owner_key[SS_KEY_MAX_LEN];
	u8 owner_key_len;
	struct list_head retired;
	struct hlist_node by_key;
	unsigned long until;
	struct rhashtable claims;
};

/* The claims' hash: siphash, as for the salts (see above). */
static siphash_key_t ss_salt_claim_key;

static u32 ss_salt_claim_hash(const void *data, u32 len, u32 seed)
{
	u64 key;

	BUILD_BUG_ON(sizeof(key) != SS_SALT_CLAIM_LEN);
	memcpy(&key, data, sizeof(key));
	return siphash_2u64(key, seed, &ss_salt_claim_key);
}

static const struct rhashtable_params ss_salt_claim_params = {
	.head_offset = offsetof(struct ss_salt_claim, node),
	.key_offset = offsetof(struct ss_salt_claim, key),
	.key_len = SS_SALT_CLAIM_LEN,
	.hashfn = ss_salt_claim_hash,
	/*
	 * The smallest table (4 buckets), grown with the sessions: it is
	 * not charged to a memory cgroup, and a retired pool keeps it.
	 */
	.nelem_hint = 1,
	.automatic_shrinking = true,
};

/* The bucket of &ss_salt_pools.by_key of a method (@owner) and key. */
static u32 ss_salt_pool_owner_hash(const void *owner, const u8 *key,
				   size_t key_len)
{
	return jhash(key, key_len, hash_ptr(owner, 32));
}

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
		if (p->buckets && !s->superseded)	/* in a bucket */
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

	get_random_once(&ss_salt_claim_key, sizeof(ss_salt_claim_key));
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->buckets = kvcalloc(nbuckets, sizeof(*p->buckets),
			      GFP_KERNEL_ACCOUNT);
	if (!p->buckets)
		goto err_pool;
	if (rhashtable_init(&p->claims, &ss_salt_claim_params))
		goto err_buckets;
	spin_lock_init(&p->lock);
	p->limit = limit;
	p->mask = nbuckets - 1;
	get_random_bytes(&p->key, sizeof(p->key));
	INIT_DELAYED_WORK(&p->gc, ss_salt_pool_gc);
	INIT_LIST_HEAD(&p->retired);
	INIT_HLIST_NODE(&p->by_key);
	kref_init(&p->ref);
	p->memcg = get_mem_cgroup_from_mm(current->mm);
	return p;

err_buckets:
	kvfree(p->buckets);
err_pool:
	kfree(p);
	return ERR_PTR(-ENOMEM);
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
	rhashtable_destroy(&p->claims);
	mem_cgroup_put(p->memcg);
	kfree_sensitive(p);	/* the owner's key */
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
 * @owner: what the servers sharing it have in common besides the key
 *	(their method), compared by address by ss_salt_pool_adopt()
 * @key: their key
 * @key_len: its length, at most %SS_KEY_MAX_LEN
 *
 * Of salt_pool_limit salts; as ss_salt_pool_new() otherwise. Servers share
 * a pool through ss_salt_pool_get() and ss_salt_pool_retire().
 *
 * Return: the pool, one reference held, or an ERR_PTR().
 */
struct ss_salt_pool *ss_salt_pool_new_server(const void *owner, const u8 *key,
					     size_t key_len)
{
	struct ss_salt_pool *p;

	if (WARN_ON_ONCE(key_len > SS_KEY_MAX_LEN))
		return ERR_PTR(-EINVAL);
	p = ss_salt_pool_new(salt_pool_limit);
	if (IS_ERR(p))
		return p;
	p->owner = owner;
	memcpy(p->owner_key, key, key_len);
	p->owner_key_len = key_len;
	return p;
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

/* Free the retired pools whose time is up, and come back for the next. */
static void ss_salt_pools_reap(struct work_struct *work)
{
	struct ss_salt_pools *pools = container_of(to_delayed_work(work),
						   struct ss_salt_pools, reap);
	struct ss_salt_pool *p, *next;
	unsigned long now = jiffies;
	LIST_HEAD(done);

	mutex_lock(pools->lock);
	list_for_each_entry_safe(p, next, &pools->retired, retired) {
		if (time_before(now, p->until)) {
			queue_delayed_work(system_power_efficient_wq,
					   &pools->reap, p->until - now);
			break;
		}
		list_move_tail(&p->retired, &done);
		hash_del(&p->by_key);
	}
	mutex_unlock(pools->lock);
	list_for_each_entry_safe(p, next, &done, retired)
		ss_salt_pool_free(p);
}

/**
 * ss_salt_pools_init() - a namespace's retired pools, none yet
 * @pools: them
 * @lock: the namespace's lock, under which they are retired and adopted
 */
void ss_salt_pools_init(struct ss_salt_pools *pools, struct mutex *lock)
{
	INIT_LIST_HEAD(&pools->retired);
	hash_init(pools->by_key);
	INIT_DELAYED_WORK(&pools->reap, ss_salt_pools_reap);
	pools->lock = lock;
}

/**
 * ss_salt_pools_destroy() - free a namespace's retired pools
 * @pools: them; no server is left to retire or adopt one
 *
 * Sleeps; the caller does not hold @pools->lock (the reaper takes it).
 */
void ss_salt_pools_destroy(struct ss_salt_pools *pools)
{
	struct ss_salt_pool *p, *next;

	cancel_delayed_work_sync(&pools->reap);
	list_for_each_entry_safe(p, next, &pools->retired, retired) {
		list_del(&p->retired);
		hash_del(&p->by_key);
		ss_salt_pool_free(p);
	}
}

/**
 * ss_salt_pool_retire() - a server lets its pool go
 * @pools: its namespace's retired pools
 * @p: the pool, or NULL; no connection of the server uses it any more
 *
 * The last server's going retires the pool, unless it is empty (then it
 * is freed): it is kept, without its bucket array, until its youngest salt
 * has had its time. The caller holds @pools->lock. Sleeps.
 */
void ss_salt_pool_retire(struct ss_salt_pools *pools, struct ss_salt_pool *p)
{
	struct hlist_head *buckets;
	bool empty;

	lockdep_assert_held(pools->lock);
	if (!p || !refcount_dec_and_test(&p->ref.refcount))
		return;
	spin_lock_bh(&p->lock);
	/* each session released its claim as it ended (udp.c) */
	WARN_ON_ONCE(atomic_read(&p->claims.nelems));
	empty = !p->head;
	buckets = p->buckets;
	p->buckets = NULL;
	spin_unlock_bh(&p->lock);
	kvfree(buckets);
	if (empty) {
		ss_salt_pool_free(p);
		return;
	}
	/* every salt in it came by now */
	p->until = jiffies + ss_salt_pool_ttl();
	list_add_tail(&p->retired, &pools->retired);
	hash_add(pools->by_key, &p->by_key,
		 ss_salt_pool_owner_hash(p->owner, p->owner_key, p->owner_key_len));
	/* else the reaper comes for an older one first, then for this */
	if (list_is_first(&p->retired, &pools->retired))
		queue_delayed_work(system_power_efficient_wq, &pools->reap,
				   ss_salt_pool_ttl());
}

/**
 * ss_salt_pool_adopt() - take back a retired pool
 * @pools: the namespace's retired pools
 * @owner: as given to ss_salt_pool_new_server()
 * @key: likewise
 * @key_len: likewise
 *
 * The caller holds @pools->lock. Process context; the new bucket array is
 * charged to the caller's memory cgroup.
 *
 * Return: the retired pool of @owner and @key, live again with one
 * reference held; NULL if there is none; ERR_PTR(-ENOMEM) (the pool stays
 * retired).
 */
struct ss_salt_pool *ss_salt_pool_adopt(struct ss_salt_pools *pools,
					const void *owner, const u8 *key,
					size_t key_len)
{
	struct hlist_head *buckets;
	struct ss_salt_pool *p;
	struct ss_salt *s;

	lockdep_assert_held(pools->lock);
	hash_for_each_possible(pools->by_key, p, by_key,
			       ss_salt_pool_owner_hash(owner, key, key_len)) {
		if (p->owner != owner || p->owner_key_len != key_len ||
		    crypto_memneq(p->owner_key, key, key_len))
			continue;
		buckets = kvcalloc(p->mask + 1, sizeof(*buckets),
				   GFP_KERNEL_ACCOUNT);
		if (!buckets)
			return ERR_PTR(-ENOMEM);
		spin_lock_bh(&p->lock);
		for (s = p->head; s; s = s->next)
			if (!s->superseded)
				hlist_add_head(&s->node,
					       &buckets[siphash(s->salt, s->len,
								&p->key) &
							p->mask]);
		p->buckets = buckets;
		spin_unlock_bh(&p->lock);
		list_del_init(&p->retired);
		hash_del(&p->by_key);
		kref_init(&p->ref);
		return p;
	}
	return NULL;
}

/*
 * Put a new salt or record, its bytes set, in @bucket and at the FIFO's
 * tail, as of @now; under the lock.
 */
static void ss_salt_pool_append(struct ss_salt_pool *p, struct ss_salt *new,
				struct hlist_head *bucket, unsigned long now)
{
	lockdep_assert_held(&p->lock);
	new->next = NULL;
	new->seen = now;
	new->superseded = false;
	hlist_add_head(&new->node, bucket);
	if (p->tail)
		p->tail->next = new;
	else
		p->head = new;
	p->tail = new;
	p->count++;
	ss_salt_pool_arm(p, now);
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

	spin_lock_bh(&p->lock);
	/* a retired pool has no buckets, and no server to add to it */
	if (WARN_ON_ONCE(!p->buckets)) {
		err = -EINVAL;
		goto out;
	}
	bucket = &p->buckets[siphash(salt, len, &p->key) & p->mask];
	ss_salt_pool_expire(p, now);
	hlist_for_each_entry(s, bucket, node) {
		if (!s->record && s->len == len &&
		    !memcmp(s->salt, salt, len)) {
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
	new->len = len;
	new->record = false;
	memcpy(new->salt, salt, len);
	ss_salt_pool_append(p, new, bucket, now);
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
 * ss_salt_record_new() - room for a record, taken when what it will
 *	record begins
 * @p: the pool, of a server (not retired)
 *
 * A record must not fail when it is made (one lost would let a replay
 * through), nor pass the memory cgroup's limit: its room is taken,
 * fallibly and charged to the pool's cgroup, when the session it will
 * record starts, and the session is refused without it. Process context.
 *
 * Return: the room, for ss_salt_pool_record() or ss_salt_record_free();
 * NULL when out of memory.
 */
struct ss_salt *ss_salt_record_new(struct ss_salt_pool *p)
{
	struct mem_cgroup *old = set_active_memcg(p->memcg);
	struct ss_salt *rec = kmalloc(sizeof(*rec), GFP_KERNEL_ACCOUNT);

	set_active_memcg(old);
	return rec;
}

/* Room ss_salt_pool_record() did not take; NULL is nothing. */
void ss_salt_record_free(struct ss_salt *rec)
{
	kfree(rec);
}

/**
 * ss_salt_pool_record() - remember a key and a value for a pool's time
 * @p: the pool, of a server (not retired)
 * @rec: room from ss_salt_record_new() of @p, which the pool takes
 * @key: the key (no salt matches it, whatever its bytes)
 * @len: its length, 1 to %SS_SALT_MAX_LEN - 8
 * @value: what ss_salt_pool_lookup() gives for @key
 *
 * For what must outlive a server as its salts do (udp.c: the 2022
 * sessions a deleted server ends). A record goes in whether the pool is
 * full or not; one already there for @key is superseded (lookups find the
 * new one; it stays in the FIFO, out of its bucket, until it expires).
 * Any context.
 */
void ss_salt_pool_record(struct ss_salt_pool *p, struct ss_salt *rec,
			 const u8 *key, size_t len, u64 value)
{
	struct hlist_head *bucket;
	unsigned long now;
	struct ss_salt *s;

	if (WARN_ON_ONCE(!rec))
		return;
	if (WARN_ON_ONCE(!len || len > SS_SALT_MAX_LEN - sizeof(value))) {
		kfree(rec);
		return;
	}
	rec->len = len;
	rec->record = true;
	memcpy(rec->salt, key, len);
	memcpy(rec->salt + len, &value, sizeof(value));

	spin_lock_bh(&p->lock);
	if (WARN_ON_ONCE(!p->buckets)) {
		spin_unlock_bh(&p->lock);
		kfree(rec);
		return;
	}
	bucket = &p->buckets[siphash(key, len, &p->key) & p->mask];
	now = jiffies;
	ss_salt_pool_expire(p, now);
	hlist_for_each_entry(s, bucket, node) {
		if (s->record && s->len == len && !memcmp(s->salt, key, len)) {
			hlist_del_init(&s->node);
			s->superseded = true;
			break;		/* a bucket holds one a key */
		}
	}
	ss_salt_pool_append(p, rec, bucket, now);
	spin_unlock_bh(&p->lock);
}

/**
 * ss_salt_pool_lookup() - the value of a record in a pool
 * @p: the pool, of a server (not retired)
 * @key: the record's key
 * @len: its length
 * @value: set to the newest record's value when there is one
 *
 * Any context.
 *
 * Return: true if a record of @key is still in its time.
 */
bool ss_salt_pool_lookup(struct ss_salt_pool *p, const u8 *key, size_t len,
			 u64 *value)
{
	struct hlist_head *bucket;
	struct ss_salt *s;
	bool found = false;

	if (WARN_ON_ONCE(!len || len > SS_SALT_MAX_LEN - sizeof(*value)))
		return false;
	spin_lock_bh(&p->lock);
	if (WARN_ON_ONCE(!p->buckets))
		goto out;
	bucket = &p->buckets[siphash(key, len, &p->key) & p->mask];
	ss_salt_pool_expire(p, jiffies);
	hlist_for_each_entry(s, bucket, node) {
		if (s->record && s->len == len &&
		    !memcmp(s->salt, key, len)) {
			memcpy(value, s->salt + len, sizeof(*value));
			found = true;
			break;
		}
	}
out:
	spin_unlock_bh(&p->lock);
	return found;
}

/**
 * ss_salt_pool_claim() - hold a key among a pool's live servers
 * @p: the pool, of a server (not retired)
 * @c: the claim, not held; in the holder, which keeps it until it calls
 *	ss_salt_pool_unclaim() and frees it no sooner than an RCU grace
 *	period after that (lookups walk the table under RCU)
 * @key: the key, %SS_SALT_CLAIM_LEN bytes
 *
 * Any context; the calls for one claim are serialised by its holder.
 *
 * Return: 0, @c now holds @key; -EBUSY when another claim holds it (and
 * only then); -ENOMEM, -E2BIG or -EAGAIN (the table is being resized and
 * the chain is long) from the table.
 */
int ss_salt_pool_claim(struct ss_salt_pool *p, struct ss_salt_claim *c,
		       const u8 *key)
{
	int err;

	if (WARN_ON_ONCE(c->held))
		return -EINVAL;
	memcpy(c->key, key, SS_SALT_CLAIM_LEN);
	err = rhashtable_lookup_insert_fast(&p->claims, &c->node,
					    ss_salt_claim_params);
	if (err == -EEXIST)
		return -EBUSY;
	/* the table's own -EBUSY would read as a held key: a replay */
	if (err == -EBUSY)
		return -EAGAIN;
	if (err)
		return err;
	c->held = true;
	return 0;
}

/**
 * ss_salt_pool_unclaim() - let a claim's key go
 * @p: the pool the claim was made in
 * @c: the claim; nothing happens if it is not held
 *
 * Any context.
 */
void ss_salt_pool_unclaim(struct ss_salt_pool *p, struct ss_salt_claim *c)
{
	if (!c->held)
		return;
	WARN_ON_ONCE(rhashtable_remove_fast(&p->claims, &c->node,
					    ss_salt_claim_params));
	c->held = false;
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
