/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sliding window over packet IDs (SIP022 section 3.2.4): each ID is
 * accepted once, and only while it is less than %SS_WINDOW_SIZE behind
 * the highest one accepted, so packets may arrive out of order but never
 * twice. The bitmap is a ring of 64-bit words indexed by ID / 64; when the
 * highest ID moves up, the words it passes are cleared. One word more
 * than the window keeps the word the highest ID is in apart from the
 * oldest ID still inside.
 *
 * Pure (u8, u64 and bool only), so that the fuzz harness checks it
 * against a plain model. Not locked: the caller serialises.
 */

#ifndef _SS_WINDOW_H
#define _SS_WINDOW_H

#include <linux/types.h>

#define SS_WINDOW_WORDS		32	/* a power of two */
#define SS_WINDOW_BITS		(SS_WINDOW_WORDS * 64)
/* How far behind the highest accepted ID an ID may still come. */
#define SS_WINDOW_SIZE		(SS_WINDOW_BITS - 64)

/**
 * struct ss_window - one session's accepted packet IDs
 * @next: the highest ID accepted, plus one; 0 before the first
 * @bits: bit ID % 64 of word (ID / 64) % %SS_WINDOW_WORDS: ID accepted
 *
 * All zeros is the empty window.
 */
struct ss_window {
	u64 next;
	u64 bits[SS_WINDOW_WORDS];
};

static inline u64 *ss_window_word(struct ss_window *w, u64 id)
{
	return &w->bits[(id / 64) % SS_WINDOW_WORDS];
}

/**
 * ss_window_check() - would @id be accepted?
 * @w: the window
 * @id: the packet ID
 *
 * For a packet whose header has not been validated yet: it changes
 * nothing. The last ID, U64_MAX, is never accepted, so that @next
 * cannot wrap.
 *
 * Return: true if @id is new and not too old.
 */
static inline bool ss_window_check(struct ss_window *w, u64 id)
{
	if (id == (u64)-1)
		return false;
	if (id >= w->next)
		return true;
	if (w->next - id > SS_WINDOW_SIZE)
		return false;
	return !(*ss_window_word(w, id) & (1ULL << (id % 64)));
}

/**
 * ss_window_update() - accept @id, once
 * @w: the window
 * @id: the packet ID of a packet that has been validated
 *
 * Return: true if @id was accepted; false if it was seen, or is too old.
 */
static inline bool ss_window_update(struct ss_window *w, u64 id)
{
	u64 from, to, i;

	if (!ss_window_check(w, id))
		return false;
	if (id >= w->next) {
		/* Clear the words after the highest ID's, up to @id's. */
		to = id / 64;
		from = w->next ? (w->next - 1) / 64 + 1 : to + 1;
		for (i = 0; from + i <= to && i < SS_WINDOW_WORDS; i++)
			w->bits[(from + i) % SS_WINDOW_WORDS] = 0;
		w->next = id + 1;
	}
	*ss_window_word(w, id) |= 1ULL << (id % 64);
	return true;
}

/**
 * ss_window_seen_below() - a window that has seen every ID below @next
 * @w: the window
 * @next: the first ID it has not seen
 *
 * For a session that goes on from where an ended one stopped: the IDs
 * the ended one may have taken are refused, the higher ones accepted.
 */
static inline void ss_window_seen_below(struct ss_window *w, u64 next)
{
	unsigned int i;

	for (i = 0; i < SS_WINDOW_WORDS; i++)
		w->bits[i] = next ? ~0ULL : 0;
	w->next = next;
	/* Of @next's word, only the IDs below it (none if it is the first) */
	if (next)
		*ss_window_word(w, next) &= (1ULL << (next % 64)) - 1;
}

#endif /* _SS_WINDOW_H */
