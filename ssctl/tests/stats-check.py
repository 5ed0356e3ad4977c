#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Read ssctl stats' output with prometheus_client's parser (Debian's
python3-prometheus-client, the parser Prometheus' own Python client uses)
and check it holds exactly the samples WANT lists (tests/stats-test):
each family shadowsocks_<counter> of the right type, with its HELP, one
sample per object labelled server= or client=; each family
shadowsocks_user_<counter>, one sample per user labelled server= and
user=; values exact.

usage: stats-check.py OUT WANT      prints TAP, exits 1 on a failure
"""

import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    out, want_path = sys.argv[1:3]
    text = open(out).read()
    want = {}
    for line in open(want_path):
        family, kind, labels, value = line.rstrip('\n').split('\t')
        labels = tuple(sorted(tuple(kv.split('=', 1))
                              for kv in labels.split(',')))
        want[(family, labels)] = (kind, int(value))

    n = 0
    failed = 0

    def result(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print('%sok %d - %s' % ('' if ok else 'not ', n, what))

    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as e:
        result(False, 'the parser reads the output: %s' % e)
        print('1..%d' % n)
        return 1
    result(True, 'the parser reads the output (%d families)' % len(families))

    # Prometheus wants one HELP and one TYPE per family, before its samples
    seen = {}
    for line in text.splitlines():
        if line.startswith('# HELP ') or line.startswith('# TYPE '):
            key = (line[:6], line.split()[2])
            seen[key] = seen.get(key, 0) + 1
    dup = [k for k, v in seen.items() if v > 1]
    result(not dup, 'one HELP and one TYPE per family'
           + ('' if not dup else ': %s' % dup[:5]))

    got = {}
    bad = []
    names = set()
    for fam in families:
        if not fam.name.startswith('shadowsocks_') or not fam.documentation:
            bad.append('family %s: name or HELP' % fam.name)
        if fam.name in names:
            bad.append('family %s twice' % fam.name)
        names.add(fam.name)
        user = fam.name.startswith('shadowsocks_user_')
        for s in fam.samples:
            family = fam.name[len('shadowsocks_'):]
            labels = tuple(sorted(s.labels.items()))
            keys = tuple(k for k, _ in labels)
            if (user and keys != ('server', 'user')) or \
               (not user and keys not in (('server',), ('client',))):
                bad.append('%s: labels %s' % (s.name, labels))
                continue
            # the parser strips _total from a counter's family name
            key = (family, labels)
            if key not in want and (family + '_total', labels) in want:
                key = (family + '_total', labels)
            got[key] = (fam.type, int(s.value))
            if fam.type == 'counter' and not s.name.endswith('_total'):
                bad.append('%s: a counter not named _total' % s.name)
    result(not bad, 'every family is shadowsocks_*, documented, with the '
           'labels of its kind' + ('' if not bad else ': ' + '; '.join(bad[:5])))
    missing = [k for k in want if k not in got]
    result(not missing, 'every counter of every object is there (%d samples)'
           % len(want) + ('' if not missing else ': missing %s' % missing[:5]))
    extra = [k for k in got if k not in want]
    result(not extra, 'nothing else' + ('' if not extra else ': %s' % extra[:5]))
    wrong = [(k, got[k], want[k]) for k in want if k in got and got[k] != want[k]]
    result(not wrong, 'types and values exact'
           + ('' if not wrong else ': %s' % wrong[:3]))
    escaped = [k for k in got if ('client', 'we"ird\\one') in k[1]]
    result(bool(escaped), 'a label with a quote and a backslash reads back')
    escaped = [k for k in got if ('user', 'b"o\\b') in k[1]]
    result(bool(escaped), "a user's label with a quote and a backslash reads back")
    users = {k[0] for k in got if k[0].startswith('user_')}
    result(len(users) == 11,
           'user families: the 10 counters of users and one sent (%d)'
           % len(users))
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
