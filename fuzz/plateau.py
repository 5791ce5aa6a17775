#!/usr/bin/env python3
"""Runs built fuzz targets one after the other until each stops finding new coverage.

    fuzz/plateau.py --bin DIR [--plateau MIN] [--max MIN] [--log FILE] TARGET...

DIR holds the fuzz binaries (copy them out of fuzz/target first, so that editing src/ does not
make cargo rebuild them mid-run). Each target runs on its kept corpus, fuzz/corpus/TARGET, and
stops when its coverage has not grown for --plateau minutes (default 15), or after --max minutes
(default 60). New inputs land in the corpus; a crash lands in fuzz/regressions/TARGET/ and stops
that target. One line a minute per target goes to the log: minutes, coverage, features, corpus
size, executions a second. At the end a table of each target's run is printed.
"""

import argparse
import os
import re
import subprocess
import sys
import time

STATS = re.compile(r"#(\d+)\s+(?:NEW|REDUCE|pulse|INITED|DONE)\s+cov: (\d+) ft: (\d+)(?: corp: (\d+))?.*?exec/s: (\d+)")


def run(target, args, log):
    fuzz = os.path.dirname(os.path.abspath(__file__))
    corpus = os.path.join(fuzz, "corpus", target)
    regressions = os.path.join(fuzz, "regressions", target)
    os.makedirs(regressions, exist_ok=True)
    command = [
        "nice", "-n", "19",
        os.path.join(args.bin, target), corpus,
        "-rss_limit_mb=1024", "-timeout=60", "-print_final_stats=1",
        f"-artifact_prefix={regressions}/",
        f"-max_total_time={args.max * 60}",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, errors="replace")
    first = last = None
    grew_at = started
    logged_at = 0.0
    crashed = False
    for line in process.stderr:
        now = time.monotonic()
        if "ERROR: libFuzzer" in line or "==ERROR:" in line or "SUMMARY:" in line:
            crashed = True
            log.write(f"{target}: {line}")
        match = STATS.search(line)
        if not match:
            continue
        cov = int(match.group(2))
        if first is None:
            first = cov
        if last is None or cov > last:
            grew_at = now
        last = cov
        if now - logged_at >= 60:
            logged_at = now
            log.write(f"{target} {(now - started) / 60:.1f} min cov {cov} ft {match.group(3)} "
                      f"corp {match.group(4)} exec/s {match.group(5)}\n")
            log.flush()
        if now - grew_at >= args.plateau * 60:
            process.terminate()
            break
    process.wait()
    ended = time.monotonic()
    return {
        "target": target,
        "minutes": (ended - started) / 60,
        "first": first,
        "last": last,
        "last_new": (grew_at - started) / 60,
        "plateau": ended - grew_at >= args.plateau * 60 - 1,
        "crashed": crashed,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--plateau", type=float, default=15)
    parser.add_argument("--max", type=float, default=60)
    parser.add_argument("--log", default="-")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    log = sys.stdout if args.log == "-" else open(args.log, "a", buffering=1)
    rows = [run(target, args, log) for target in args.targets]
    log.write("| target | ran | coverage (start → end) | last new coverage | ended by |\n")
    log.write("|---|---|---|---|---|\n")
    for row in rows:
        ended = "crash" if row["crashed"] else ("plateau" if row["plateau"] else "time limit")
        log.write(f"| {row['target']} | {row['minutes']:.0f} min | {row['first']} → {row['last']} "
                  f"| at {row['last_new']:.1f} min | {ended} |\n")
    return 1 if any(row["crashed"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
