// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the replay filter, run at load by debug builds, on private
 * filters so that the module's own stays empty.
 */

#ifdef DEBUG

#include <linux/random.h>

#include "check.h"

/* Is the salt in either filter? Looks only, adds nothing. */
static bool __init ss_replay_seen(struct ss_replay_filter *f, const u8 *salt,
				  size_t len)
{
	u32 idx[SS_REPLAY_HASHES];
	bool seen;

	ss_replay_indices(f, salt, len, idx);
	spin_lock_bh(&f->lock);
	seen = ss_replay_test(f->bits[0], idx) ||
	       ss_replay_test(f->bits[1], idx);
	spin_unlock_bh(&f->lock);
	return seen;
}

/* Adds a salt without checking it. */
static void __init ss_replay_filter_add(struct ss_replay_filter *f,
					const u8 *salt, size_t len)
{
	u32 idx[SS_REPLAY_HASHES];

	ss_replay_indices(f, salt, len, idx);
	spin_lock_bh(&f->lock);
	ss_replay_set(f, idx);
	spin_unlock_bh(&f->lock);
}

/* Salt number @i of a test run: 32 bytes, distinct for distinct @i. */
static void __init ss_replay_salt(u8 salt[32], const u8 base[32], u32 i)
{
	memcpy(salt, base, 32);
	memcpy(salt, &i, sizeof(i));
}

static bool __init ss_replay_selftest_rotation(void)
{
	/*
	 * Big enough that the filter's false positives (about 1e-6 a check)
	 * stay near the theory: in a filter of a few thousand bits, a salt
	 * whose second hash is small sets fewer distinct bits.
	 */
	const unsigned int cap = 1000, total = 5 * cap;
	struct ss_replay_filter f;
	u8 base[32], salt[32];
	unsigned int i, fp;
	bool ok = true;
	int err;

	err = ss_replay_filter_init(&f, cap, GFP_KERNEL);
	SS_CHECK(!err, "replay filter of %u salts (%d)", cap, err);
	if (err)
		return false;
	get_random_bytes(base, sizeof(base));

	/*
	 * A false positive is tolerated twice (P ~ 1e-8). A salt refused as
	 * seen in the current filter is not added, which moves the later
	 * rotations by one.
	 */
	for (i = 0, fp = 0; i < total; i++) {
		ss_replay_salt(salt, base, i);
		fp += ss_replay_filter_check_and_add(&f, salt, sizeof(salt));
	}
	SS_CHECK(fp <= 2, "replay: %u of %u fresh salts refused", fp, total);
	/* total is a multiple of cap: the current filter is full */
	SS_CHECK(f.count <= cap && f.count + fp >= cap,
		 "replay: %u salts in the current filter", f.count);

	/* the last capacity salts are remembered after four rotations */
	for (i = total - cap; i < total; i++) {
		ss_replay_salt(salt, base, i);
		if (!ss_replay_seen(&f, salt, sizeof(salt)))
			break;
	}
	SS_CHECK(i == total, "replay: recent salt %u forgotten", i);

	/*
	 * Those older than two filters are forgotten; a false positive
	 * (about 1e-6 each) is tolerated twice.
	 */
	for (i = 0, fp = 0; i < total - 2 * cap; i++) {
		ss_replay_salt(salt, base, i);
		fp += ss_replay_seen(&f, salt, sizeof(salt));
	}
	SS_CHECK(fp <= 2, "replay: %u of %u old salts still seen", fp,
		 total - 2 * cap);

	/* a replayed salt from the older filter is refreshed */
	ss_replay_salt(salt, base, total - cap - 1);
	SS_CHECK(ss_replay_filter_check_and_add(&f, salt, sizeof(salt)),
		 "replay: salt in the older filter refused");
	for (i = 0; i < cap; i++) {
		ss_replay_salt(salt, base, total + i);
		ss_replay_filter_add(&f, salt, sizeof(salt));
	}
	ss_replay_salt(salt, base, total - cap - 1);
	SS_CHECK(ss_replay_seen(&f, salt, sizeof(salt)),
		 "replay: refreshed salt survives a rotation");

	ss_replay_filter_free(&f);
	return ok;
}

/*
 * The server's own salts: every one recognised, of every salt length,
 * all distinct; random salts and a salt one bit away are not.
 */
static bool __init ss_replay_selftest_own(void)
{
	const unsigned int n = 1000;
	u8 salt[32], first[32];
	unsigned int i, own, random, same;
	bool ok = true;

	ss_replay_own_salt(first, sizeof(first));
	for (i = 0, own = 0, random = 0, same = 0; i < n; i++) {
		size_t len = 16 + 8 * (i % 3);

		ss_replay_own_salt(salt, len);
		own += ss_replay_is_own(salt);
		same += !memcmp(salt, first, AES_BLOCK_SIZE);
		get_random_bytes(salt, sizeof(salt));
		random += ss_replay_is_own(salt);
	}
	SS_CHECK(own == n, "replay: %u of %u own salts recognised", own, n);
	SS_CHECK(!random, "replay: %u of %u random salts taken for own",
		 random, n);
	SS_CHECK(!same, "replay: %u own salts repeat the first", same);
	first[15] ^= 1;
	SS_CHECK(!ss_replay_is_own(first),
		 "replay: one bit away from an own salt is not own");
	return ok;
}

/**
 * ss_replay_selftest() - tests of the replay filter
 *
 * Prints each failure as "crypto self-tests: FAIL ...".
 *
 * Return: true if all passed.
 */
bool __init ss_replay_selftest(void)
{
	struct ss_replay_filter f;
	u8 salt[32], other[32];
	bool ok = true;
	int err;

	err = ss_replay_filter_init(&f, 1000, GFP_KERNEL);
	SS_CHECK(!err, "replay filter of 1000 salts (%d)", err);
	if (err)
		return false;
	get_random_bytes(salt, sizeof(salt));
	memcpy(other, salt, sizeof(other));
	other[31] ^= 1;

	SS_CHECK(!ss_replay_filter_check_and_add(&f, salt, 32),
		 "replay: fresh salt passes");
	SS_CHECK(ss_replay_filter_check_and_add(&f, salt, 32),
		 "replay: same salt refused");
	SS_CHECK(ss_replay_filter_check_and_add(&f, salt, 32),
		 "replay: same salt refused again");
	SS_CHECK(!ss_replay_filter_check_and_add(&f, salt, 16),
		 "replay: its first 16 bytes are another salt");
	SS_CHECK(!ss_replay_seen(&f, other, 32),
		 "replay: one bit away is another salt");
	ss_replay_filter_add(&f, other, 32);
	SS_CHECK(ss_replay_filter_check_and_add(&f, other, 32),
		 "replay: a salt added unchecked is refused");
	ss_replay_filter_free(&f);

	SS_CHECK(ss_replay_filter_init(&f, 0, GFP_KERNEL) == -EINVAL,
		 "replay: capacity 0 refused");
	SS_CHECK(ss_replay_filter_init(&f, SS_REPLAY_CAPACITY_MAX + 1,
				       GFP_KERNEL) ==
		 -EINVAL, "replay: capacity above the maximum refused");

	ok &= ss_replay_selftest_rotation();
	ok &= ss_replay_selftest_own();
	return ok;
}

#undef SS_CHECK

#endif /* DEBUG */
