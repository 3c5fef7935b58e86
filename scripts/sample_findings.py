#!/usr/bin/env python3
"""Seeded sample of blocking-rule findings, for reading against the source.

Usage: awaitify --format concise DIR 2> findings.txt
       scripts/sample_findings.py findings.txt [per_rule] [seed]

Prints, per AW2xx rule, every finding when there are at most `per_rule`
(25), else a random sample of `per_rule` drawn with `random.Random(seed)`
(seed 20261202) from the findings in the order awaitify prints them.
"""
import collections
import random
import re
import sys

path = sys.argv[1]
per_rule = int(sys.argv[2]) if len(sys.argv) > 2 else 25
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
by_rule = collections.defaultdict(list)
for line in open(path, encoding="utf-8"):
    m = re.match(r"^(\S+?):(\d+):(\d+): (?:warning|error)\[(AW2\d\d)\] (.*)", line)
    if m:
        by_rule[m.group(4)].append(f"{m.group(1)}:{m.group(2)} {m.group(5)}")
rng = random.Random(seed)
for rule in sorted(by_rule):
    found = by_rule[rule]
    picked = found if len(found) <= per_rule else rng.sample(found, per_rule)
    print(f"# {rule}: {len(picked)} of {len(found)}")
    for i, f in enumerate(picked, 1):
        print(f"{rule} #{i} {f}")
