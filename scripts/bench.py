#!/usr/bin/env python3
"""Measures awaitify against baselines in one run; called by scripts/bench.sh.

Each command runs once to warm the page cache, then --reps times; the table
gives the median wall time (min-max), files/s and MiB/s over the corpus, and
peak RSS (from wait4). Ratios compare medians measured in this same run.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time


def measure(cmd, reps):
    """Returns (wall times in seconds, peak RSS in MiB, last stdout)."""
    times, rss, out = [], 0, b""
    for i in range(reps + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        # awaitify exits 2 for the corpus's one non-Rust template file (lapin);
        # grep exits 1 for files without a match.
        if code not in (0, 1, 2):
            sys.exit(f"{cmd[0]} exited with {code}")
        if i > 0:  # the first run warms the cache
            times.append(elapsed)
            rss = max(rss, usage.ru_maxrss / 1024)
    return times, rss, out


def corpus_size(path):
    files, size = 0, 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            if n.endswith(".rs"):
                files += 1
                size += os.path.getsize(os.path.join(dirpath, n))
    return files, size / (1 << 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    w, r, t = args.work, args.root, str(args.threads)
    corpus = os.path.join(w, "corpus")
    awaitify = os.path.join(r, "target/release/awaitify")
    parse_only = os.path.join(r, "target/release/examples/parse_only")
    sg = os.path.join(w, "npm/node_modules/.bin/ast-grep")
    rule = os.path.join(r, "scripts/ast-grep-rule.yml")
    files, mib = corpus_size(corpus)
    print(f"corpus: {files} .rs files, {mib:.1f} MiB; {t} threads; median of {args.reps} runs after a warm-up")
    verbose = subprocess.run([awaitify, "-v", "-j", t, corpus], capture_output=True, text=True).stderr.splitlines()
    parsed = subprocess.run([parse_only, "--threads", t, "--filter", corpus], capture_output=True, text=True).stdout.strip()
    print(f"{verbose[-2]}\n{verbose[-1]}\nparse-only --filter: {parsed}\n")

    runs = [
        ("awaitify (dry run)", [awaitify, "-q", "-j", t, corpus]),
        ("parse-only, all files", [parse_only, "--threads", t, corpus]),
        ("parse-only, files that can contain a finding", [parse_only, "--threads", t, "--filter", corpus]),
        ("ast-grep, one rule", [sg, "scan", "--rule", rule, "--threads", t, "--json=compact", corpus]),
        ("text search (grep -r)", ["grep", "-r", "-c", "-F", ".lock()", "--include=*.rs", corpus]),
    ]
    results = {}
    print(f"| what | median s | min-max s | files/s | MiB/s | peak RSS MiB |")
    print(f"| --- | --- | --- | --- | --- | --- |")
    for name, cmd in runs:
        times, rss, _ = measure(cmd, args.reps)
        med = statistics.median(times)
        results[name] = med
        print(f"| {name} | {med:.3f} | {min(times):.3f}-{max(times):.3f} | {files / med:,.0f} | {mib / med:,.1f} | {rss:.0f} |")
    a = results["awaitify (dry run)"]
    print()
    print(f"awaitify / parse-only (all files):              {a / results['parse-only, all files']:.2f}")
    print(f"awaitify / parse-only (files that can contain a finding): {a / results['parse-only, files that can contain a finding']:.2f}  (goal <= 2)")
    print(f"ast-grep / awaitify:                            {results['ast-grep, one rule'] / a:.1f}x  (goal >= 10x)")

    print("\nscaling (awaitify dry run over copies of the corpus):")
    print("| corpus | median s | s per copy | peak RSS MiB |")
    print("| --- | --- | --- | --- |")
    peaks = {}
    for n, path in [(1, corpus), (2, os.path.join(w, "corpus-x2")), (4, os.path.join(w, "corpus-x4"))]:
        times, rss, _ = measure([awaitify, "-q", "-j", t, path], args.reps)
        med = statistics.median(times)
        peaks[n] = rss
        print(f"| {n}x | {med:.3f} | {med / n:.3f} | {rss:.0f} |")
    print(f"peak RSS, 4x / 1x: {peaks[4] / peaks[1]:.2f}  (goal <= 1.25; 1x: goal <= 64 MiB; scripts/bench-memory.sh measures it alone)")

    print("\ndeterminism: findings with 1 and 2 threads")
    outs = []
    for threads in ("1", "2"):
        p = subprocess.run([awaitify, "-j", threads, corpus], capture_output=True)
        # The summary's elapsed time differs run to run.
        outs.append((p.stdout, re.sub(rb" in \d+\.\d+s\n", b" in Xs\n", p.stderr)))
    print("identical" if outs[0] == outs[1] else "DIFFERENT")
    return 0 if outs[0] == outs[1] else 1


if __name__ == "__main__":
    sys.exit(main())
