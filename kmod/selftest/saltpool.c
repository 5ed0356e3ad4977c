// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the salt pool, run at load by debug builds, on private pools
 * with a clock of their own (ss_salt_pool_add_at()).
 */

#ifdef DEBUG

#include "check.h"

/* Salt number @i of a test: @len bytes, distinct for distinct @i. */
static void __init ss_salt_pool_test_salt(u8 *salt, size_t len, u32 i)
{
	memset(salt, 0x5a, len);
	memcpy(salt, &i, min(len, sizeof(i)));
}

/* ss_salt_pool_retire_selftest() on @pools, whose lock is @lock */
static bool __init ss_salt_pool_retire_check(struct ss_salt_pools *pools,
					     struct mutex *lock, const u8 *key,
					     const u8 *other)
{
	struct ss_salt_pool *p, *q;
	u8 salt[SS_SALT_MAX_LEN];
	bool ok = true;

	p = ss_salt_pool_new_server(pools, key, 32);
	if (IS_ERR(p))
		return false;
	ss_salt_pool_test_salt(salt, 32, 7);
	SS_CHECK(!ss_salt_pool_add(p, salt, 32), "salt pool: a salt before retiring");
	mutex_lock(lock);
	ss_salt_pool_get(p);
	ss_salt_pool_retire(pools, p);
	SS_CHECK(list_empty(&pools->retired),
		 "salt pool: not retired while a server still has it");
	ss_salt_pool_retire(pools, p);
	SS_CHECK(!list_empty(&pools->retired), "salt pool: retired by its last server");
	SS_CHECK(!ss_salt_pool_adopt(pools, pools, other, 32),
		 "salt pool: another key does not take a retired pool");
	SS_CHECK(!ss_salt_pool_adopt(pools, lock, key, 32),
		 "salt pool: another owner does not take a retired pool");
	q = ss_salt_pool_adopt(pools, pools, key, 32);
	SS_CHECK(q == p, "salt pool: the same key takes its retired pool back");
	if (!IS_ERR_OR_NULL(q)) {
		SS_CHECK(ss_salt_pool_add(q, salt, 32) == -EEXIST,
			 "salt pool: a salt from before retiring is a replay after");
		ss_salt_pool_retire(pools, q);
	}
	mutex_unlock(lock);

	/*
	 * An empty one is freed at once (kmemleak would see a leak
	 * otherwise): the one above stays alone in the list.
	 */
	p = ss_salt_pool_new_server(pools, other, 32);
	if (IS_ERR(p))
		return false;
	mutex_lock(lock);
	ss_salt_pool_retire(pools, p);
	SS_CHECK(list_is_singular(&pools->retired),
		 "salt pool: an empty pool is not kept");
	mutex_unlock(lock);
	return ok;
}

/*
 * A pool retired by its last server keeps its salts: a server with the
 * same owner and key takes it back, one with another key does not, and an
 * empty pool is not kept.
 */
static bool __init ss_salt_pool_retire_selftest(void)
{
	static const u8 key[32] = { 1, 2, 3 }, other[32] = { 1, 2, 4 };
	/* not on the stack: the reaper's delayed work is a debug object */
	struct {
		struct mutex lock;	/* the namespace's lock, as it were */
		struct ss_salt_pools pools;
	} *t;
	bool ok;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return false;
	mutex_init(&t->lock);
	ss_salt_pools_init(&t->pools, &t->lock);
	ok = ss_salt_pool_retire_check(&t->pools, &t->lock, key, other);
	ss_salt_pools_destroy(&t->pools);
	mutex_destroy(&t->lock);
	kfree(t);
	return ok;
}

/* Entries in @key's bucket: the self-tests look inside. */
static unsigned int __init ss_salt_pool_bucket_len(struct ss_salt_pool *p,
						   const u8 *key, size_t len)
{
	struct ss_salt *s;
	unsigned int n = 0;

	spin_lock_bh(&p->lock);
	hlist_for_each_entry(s, &p->buckets[siphash(key, len, &p->key) &
					    p->mask], node)
		n++;
	spin_unlock_bh(&p->lock);
	return n;
}

/*
 * Records: kept in a full pool, the newest found and alone in its bucket,
 * neither taken for a salt.
 */
static bool __init ss_salt_pool_record_selftest(void)
{
	struct ss_salt_pool *p;
	u8 key[9];
	bool ok = true;
	u64 v = 0;

	p = ss_salt_pool_new(1);
	if (IS_ERR(p))
		return false;
	ss_salt_pool_test_salt(key, sizeof(key), 7);
	SS_CHECK(!ss_salt_pool_add(p, key, sizeof(key)),
		 "salt pool record: a salt of the key's bytes, filling the pool");
	SS_CHECK(!ss_salt_pool_lookup(p, key, sizeof(key), &v),
		 "salt pool record: a salt is not a record");
	ss_salt_pool_record(p, ss_salt_record_new(p), key, sizeof(key), 77);
	SS_CHECK(ss_salt_pool_lookup(p, key, sizeof(key), &v) && v == 77,
		 "salt pool record: kept in a full pool, found (%llu)", v);
	ss_salt_pool_record(p, ss_salt_record_new(p), key, sizeof(key), 99);
	SS_CHECK(ss_salt_pool_lookup(p, key, sizeof(key), &v) && v == 99,
		 "salt pool record: the newest found (%llu)", v);
	SS_CHECK(ss_salt_pool_bucket_len(p, key, sizeof(key)) == 2,
		 "salt pool record: one record of the key in its bucket, beside the salt (%u)",
		 ss_salt_pool_bucket_len(p, key, sizeof(key)));
	SS_CHECK(ss_salt_pool_add(p, key, sizeof(key)) == -EEXIST,
		 "salt pool record: the salt is still a replay");
	key[8] ^= 1;
	SS_CHECK(!ss_salt_pool_lookup(p, key, sizeof(key), &v),
		 "salt pool record: another key not found");
	SS_CHECK(ss_salt_pool_add(p, key, sizeof(key)) == -ENOSPC,
		 "salt pool record: the pool is still full for salts");
	SS_CHECK(ss_salt_pool_count(p) == 3, "salt pool record: %u entries",
		 ss_salt_pool_count(p));
	ss_salt_pool_free(p);
	return ok;
}

/*
 * Claims are not bounded by any size fixed with the pool: many keys, each
 * held once, found held, and all let go.
 */
#define SS_CLAIMS_TEST_NR	4096
static bool __init ss_salt_pool_claims_selftest(void)
{
	struct ss_salt_claim *c, busy = {};
	struct ss_salt_pool *p;
	bool ok = true;
	u32 i, refused = 0;

	c = kvcalloc(SS_CLAIMS_TEST_NR, sizeof(*c), GFP_KERNEL);
	if (!c)
		return false;
	p = ss_salt_pool_new(1);
	if (IS_ERR(p)) {
		kvfree(c);
		return false;
	}
	for (i = 0; i < SS_CLAIMS_TEST_NR && ok; i++) {
		u8 key[SS_SALT_CLAIM_LEN] = {};

		memcpy(key, &i, sizeof(i));
		SS_CHECK(!ss_salt_pool_claim(p, &c[i], key),
			 "salt pool claims: key %u of %u", i, SS_CLAIMS_TEST_NR);
	}
	for (i = 0; i < SS_CLAIMS_TEST_NR && ok; i++) {
		int err = ss_salt_pool_claim(p, &busy, c[i].key);

		if (!err) {	/* a held key taken twice: stop there */
			ss_salt_pool_unclaim(p, &busy);
			break;
		}
		refused += err == -EBUSY;
	}
	SS_CHECK(refused == SS_CLAIMS_TEST_NR,
		 "salt pool claims: %u of %u held keys refused", refused,
		 SS_CLAIMS_TEST_NR);
	for (i = 0; i < SS_CLAIMS_TEST_NR; i++)
		ss_salt_pool_unclaim(p, &c[i]);
	SS_CHECK(!atomic_read(&p->claims.nelems),
		 "salt pool claims: none left");
	/* destroys the table before the claims go */
	ss_salt_pool_free(p);
	kvfree(c);
	return ok;
}

/* A key is held by one claim at a time, and let go with it. */
static bool __init ss_salt_pool_claim_selftest(void)
{
	struct ss_salt_claim c1 = {}, c2 = {}, c3 = {};
	u8 key[SS_SALT_CLAIM_LEN], other[SS_SALT_CLAIM_LEN];
	struct ss_salt_pool *p;
	bool ok = true;
	u64 v;

	p = ss_salt_pool_new(1);
	if (IS_ERR(p))
		return false;
	ss_salt_pool_test_salt(key, sizeof(key), 5);
	ss_salt_pool_test_salt(other, sizeof(other), 6);
	SS_CHECK(!ss_salt_pool_claim(p, &c1, key), "salt pool claim: a new key");
	SS_CHECK(ss_salt_pool_claim(p, &c2, key) == -EBUSY,
		 "salt pool claim: a held key refused");
	SS_CHECK(!ss_salt_pool_claim(p, &c3, other),
		 "salt pool claim: another key beside it");
	SS_CHECK(!ss_salt_pool_count(p) && !ss_salt_pool_add(p, key, sizeof(key)),
		 "salt pool claim: not a salt, not counted");
	SS_CHECK(!ss_salt_pool_lookup(p, key, sizeof(key), &v),
		 "salt pool claim: not a record");
	ss_salt_pool_unclaim(p, &c1);
	ss_salt_pool_unclaim(p, &c1);	/* not held: nothing */
	SS_CHECK(!ss_salt_pool_claim(p, &c2, key),
		 "salt pool claim: a key let go is free");
	SS_CHECK(ss_salt_pool_claim(p, &c1, other) == -EBUSY,
		 "salt pool claim: the other key still held");
	ss_salt_pool_unclaim(p, &c2);
	ss_salt_pool_unclaim(p, &c3);
	SS_CHECK(!atomic_read(&p->claims.nelems), "salt pool claim: none left");
	ss_salt_pool_free(p);
	return ok && ss_salt_pool_claims_selftest();
}

/**
 * ss_salt_pool_selftest() - the pool keeps every salt for its time, exactly
 *
 * Prints each failure as "crypto self-tests: FAIL ...".
 *
 * Return: true if all passed.
 */
bool __init ss_salt_pool_selftest(void)
{
	const unsigned long t0 = jiffies, ttl = ss_salt_pool_ttl();
	const unsigned int many = 20000;
	u8 salt[SS_SALT_MAX_LEN];
	struct ss_salt_pool *p;
	unsigned int i, n;
	bool ok = true;

	SS_CHECK(IS_ERR(ss_salt_pool_new(0)), "salt pool of limit 0 refused");

	p = ss_salt_pool_new(4);
	if (IS_ERR(p))
		return false;
	ss_salt_pool_test_salt(salt, 32, 1);
	SS_CHECK(!ss_salt_pool_add_at(p, salt, 32, t0), "salt pool: a new salt");
	SS_CHECK(ss_salt_pool_add_at(p, salt, 32, t0) == -EEXIST,
		 "salt pool: the same salt again is a replay");
	SS_CHECK(!ss_salt_pool_add_at(p, salt, 16, t0),
		 "salt pool: its first 16 bytes are another salt");
	SS_CHECK(ss_salt_pool_add_at(p, salt, 32, t0 + ttl - 1) == -EEXIST,
		 "salt pool: a replay a jiffy before the salt's time is up");
	/* Fill it: 4 salts. */
	for (i = 2; i <= 3; i++) {
		ss_salt_pool_test_salt(salt, 32, i);
		SS_CHECK(!ss_salt_pool_add_at(p, salt, 32, t0 + 1),
			 "salt pool: salt %u", i);
	}
	ss_salt_pool_test_salt(salt, 32, 4);
	SS_CHECK(ss_salt_pool_add_at(p, salt, 32, t0 + 1) == -ENOSPC,
		 "salt pool: full, a new salt is refused");
	SS_CHECK(ss_salt_pool_add_at(p, salt, 32, t0 + 1) == -ENOSPC,
		 "salt pool: a refused salt is not remembered");
	ss_salt_pool_test_salt(salt, 32, 2);
	SS_CHECK(ss_salt_pool_add_at(p, salt, 32, t0 + 1) == -EEXIST,
		 "salt pool: full, a replay is still one");
	/* At t0 + ttl the two salts of t0 have had their time. */
	ss_salt_pool_test_salt(salt, 32, 4);
	SS_CHECK(!ss_salt_pool_add_at(p, salt, 32, t0 + ttl),
		 "salt pool: room again once the oldest salts expire");
	ss_salt_pool_test_salt(salt, 32, 1);
	SS_CHECK(!ss_salt_pool_add_at(p, salt, 32, t0 + ttl),
		 "salt pool: an expired salt is new again");
	SS_CHECK(ss_salt_pool_count(p) == 4, "salt pool: %u salts, want 4",
		 ss_salt_pool_count(p));
	ss_salt_pool_free(p);

	/* Many salts: every one is found, none confused with another. */
	p = ss_salt_pool_new(many);
	if (IS_ERR(p))
		return false;
	for (i = n = 0; i < many; i++) {
		ss_salt_pool_test_salt(salt, 16, i);
		n += !ss_salt_pool_add_at(p, salt, 16, t0 + i / 1000);
	}
	SS_CHECK(n == many, "salt pool: %u of %u distinct salts new", n, many);
	for (i = n = 0; i < many; i++) {
		ss_salt_pool_test_salt(salt, 16, i);
		n += ss_salt_pool_add_at(p, salt, 16, t0 + ttl - 1) == -EEXIST;
	}
	SS_CHECK(n == many, "salt pool: %u of %u replays found", n, many);
	ss_salt_pool_test_salt(salt, 16, many);
	SS_CHECK(ss_salt_pool_add_at(p, salt, 16, t0 + ttl - 1) == -ENOSPC,
		 "salt pool: full at %u", many);
	ss_salt_pool_free(p);

	return ss_salt_pool_record_selftest() && ss_salt_pool_claim_selftest() &&
	       ss_salt_pool_retire_selftest() && ok;
}

#undef SS_CHECK

#endif /* DEBUG */
