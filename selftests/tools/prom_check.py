#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check `ssctl stats` output against `ssctl -j show` of both kinds.

Reads PROM with prometheus_client's parser (Debian's
python3-prometheus-client) and checks that it holds exactly one sample per
member of each object's "stats" in the show -j documents, named
shadowsocks_<member> (counters ending in _total), labelled server= or
client= with the object's name. Counters may move while the two are read:
show -j is read before (BEFORE_*) and after (AFTER_*) stats, and a
sample must lie between the two readings.

usage: prom_check.py PROM BEFORE_SERVERS BEFORE_CLIENTS AFTER_SERVERS AFTER_CLIENTS
Prints one line saying what was checked; exits 1 with the differences.
"""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def objects(path, kind):
    """{(member, kind, name): value} of a show -j document."""
    out = {}
    for obj in json.load(open(path)):
        for member, value in obj['stats'].items():
            out[(member, kind, obj['name'])] = value
    return out


def main():
    prom, bs, bc, as_, ac = sys.argv[1:6]
    before = objects(bs, 'server') | objects(bc, 'client')
    after = objects(as_, 'server') | objects(ac, 'client')
    got = {}
    for fam in text_string_to_metric_families(open(prom).read()):
        member = fam.name[len('shadowsocks_'):]
        for s in fam.samples:
            if 'user' in s.labels:
                continue	# SIP023 users' series: user_2022.sh checks them
            (kind, name), = s.labels.items()
            key = (member, kind, name)
            if key not in before:
                key = (member + '_total', kind, name)
            got[key] = int(s.value)
    errors = []
    for key in sorted(set(before) | set(got)):
        if key not in got:
            errors.append('missing: %s' % (key,))
        elif key not in before or key not in after:
            errors.append('not an object\'s counter: %s' % (key,))
        else:
            lo, hi = sorted((before[key], after[key]))
            if not lo <= got[key] <= hi:
                errors.append('%s: %d, show -j %d then %d'
                              % (key, got[key], before[key], after[key]))
    if errors:
        print('\n'.join(errors[:20]))
        return 1
    print('%d samples of %d objects match show -j'
          % (len(got), len({k[1:] for k in got})))
    return 0


if __name__ == '__main__':
    sys.exit(main())
