#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Read ssctl stats' output with prometheus_client's parser (Debian's
python3-prometheus-client, the parser Prometheus' own Python client uses)
and check it holds exactly the samples WANT lists (tests/stats-test):
each family shadowsocks_<counter> of the right type, with its HELP, one
sample per object labelled server= or client=, values exact.

usage: stats-check.py OUT WANT      prints TAP, exits 1 on a failure
"""

import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    out, want_path = sys.argv[1:3]
    text = open(out).read()
    want = {}
    for line in open(want_path):
        json, kind, label, name, value = line.rstrip('\n').split('\t')
        want[(json, label, name)] = (kind, int(value))

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

    got = {}
    bad = []
    for fam in families:
        if not fam.name.startswith('shadowsocks_') or not fam.documentation:
            bad.append('family %s: name or HELP' % fam.name)
        for s in fam.samples:
            json = fam.name[len('shadowsocks_'):]
            labels = dict(s.labels)
            if len(labels) != 1:
                bad.append('%s: labels %s' % (s.name, labels))
                continue
            (label, name), = labels.items()
            # the parser strips _total from a counter's family name
            key = (json, label, name)
            if key not in want and (json + '_total', label, name) in want:
                key = (json + '_total', label, name)
            got[key] = (fam.type, int(s.value))
            if fam.type == 'counter' and not s.name.endswith('_total'):
                bad.append('%s: a counter not named _total' % s.name)
    result(not bad, 'every family is shadowsocks_*, documented, one label'
           + ('' if not bad else ': ' + '; '.join(bad[:5])))
    missing = [k for k in want if k not in got]
    result(not missing, 'every counter of every object is there (%d samples)'
           % len(want) + ('' if not missing else ': missing %s' % missing[:5]))
    extra = [k for k in got if k not in want]
    result(not extra, 'nothing else' + ('' if not extra else ': %s' % extra[:5]))
    wrong = [(k, got[k], want[k]) for k in want if k in got and got[k] != want[k]]
    result(not wrong, 'types and values exact'
           + ('' if not wrong else ': %s' % wrong[:3]))
    escaped = [k for k in got if k[2] == 'we"ird\\one']
    result(bool(escaped), 'a label with a quote and a backslash reads back')
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
