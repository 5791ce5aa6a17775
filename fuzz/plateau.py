#!/usr/bin/env python3
"""Runs built fuzz targets one after the other until each stops finding new coverage.

    fuzz/plateau.py --bin DIR [--plateau MIN] [--max MIN] [--scope all|vitrin] [--log FILE]
                    TARGET...

DIR holds the fuzz binaries (copy them out of fuzz/target first, so that editing src/ does not
make cargo rebuild them mid-run). Each target runs on its kept corpus, fuzz/corpus/TARGET, with
its dictionary, fuzz/dict/TARGET.dict, and stops when its coverage has not grown for --plateau
minutes (default 15), or after --max minutes (default 60). Minutes are the fuzzer's CPU minutes,
so a starved or paused fuzzer is not counted as fuzzing. New inputs land in the corpus; a crash
lands in fuzz/regressions/TARGET/ and stops that target. One line a minute per target goes to the
log: minutes, coverage, features, corpus size, executions a second and how many new edges were in
vitrin's own code (src/); so does each new edge, with the file or crate it is in. With --scope
vitrin the plateau watches only vitrin's own edges. At the end a table of each target's run is
printed.
"""

import argparse
import os
import re
import shutil
import subprocess
import queue
import sys
import threading

FUZZ = os.path.dirname(os.path.abspath(__file__))
# The first lines of a sanitizer's or libFuzzer's report. Anchored: a status line can quote a
# dictionary word, and calendar's dictionary holds "SUMMARY:".
CRASH = re.compile(r"==\d+==\s*ERROR: |SUMMARY: \w+: ")
# libFuzzer's -print_pcs=1 line for each edge an input covers first: its address, function and
# source line (of the innermost function, where code was inlined).
NEW_PC = re.compile(r"\tNEW_PC: (0x[0-9a-f]+) in (.*) (\S+?)(?::\d+)+$")
# vitrin's own source, where a new edge counts as the code under test's.
SRC = os.path.join(os.path.dirname(FUZZ), "src") + os.sep
STATS = re.compile(r"#(\d+)\s+(?:NEW|REDUCE|pulse|INITED|DONE)\s+cov: (\d+) ft: (\d+)(?: corp: (\d+))?.*?exec/s: (\d+)")


def place(path):
    """Where a source file is: `src/FILE` for vitrin's own, else its crate (or library) name."""
    if path.startswith(SRC):
        return "src/" + path[len(SRC):]
    crate = (re.search(r"/registry/src/[^/]+/([^/]+)/", path) or re.search(r"/rust/deps/([^/]+)/", path)
             or re.search(r"/library/([^/]+)/", path))
    return crate.group(1) if crate else path


class Symbolizer:
    """The functions at a running fuzzer's code address, innermost first, each with its source
    file: libFuzzer names only the innermost, and an edge in a library function inlined into one
    of vitrin's (or in vitrin's closure inlined into the library's loop) is vitrin's code too.
    Without llvm-symbolizer it knows only what libFuzzer printed."""

    def __init__(self, binary, pid):
        self.process = None
        binary = os.path.realpath(binary)
        tool = shutil.which("llvm-symbolizer")
        try:
            with open(f"/proc/{pid}/maps") as maps:
                # The first mapping of the binary's start is where its addresses begin.
                starts = [line.split("-")[0] for line in maps
                          if line.rstrip().endswith(" " + binary) and line.split()[2] == "00000000"]
        except OSError:
            starts = []
        if tool and starts:
            self.base = int(starts[0], 16)
            self.process = subprocess.Popen([tool, f"--obj={binary}", "--inlining"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def frames(self, address, function, path):
        if self.process is None:
            return [(function, path)]
        self.process.stdin.write(f"{int(address, 16) - self.base:#x}\n")
        self.process.stdin.flush()
        frames = []
        # Two lines a frame (function, file:line:column), and an empty line after the last.
        while (name := self.process.stdout.readline().strip()):
            frames.append((name, self.process.stdout.readline().strip().split(":")[0]))
        return frames or [(function, path)]

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait()


def cpu_seconds(pid):
    """User and system time the process has had, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run(target, args, log):
    """Fuzzes one target; a run that ends on a "hang" that was only a pause starts again."""
    regressions = os.path.join(FUZZ, "regressions", target)
    os.makedirs(regressions, exist_ok=True)
    total = None
    while True:
        before = set(os.listdir(regressions))
        row = run_once(target, args, log, total)
        total = row
        new = sorted(set(os.listdir(regressions)) - before)
        paused = [name for name in new if pause_not_hang(args, target, os.path.join(regressions, name), log)]
        if paused and len(paused) == len(new) and row["minutes"] < args.max and not row["plateau"]:
            log.write(f"{target}: the fuzzer was paused, not hung; fuzzing again\n")
            continue
        row["crashed"] = row["crashed"] and len(paused) < len(new)
        return row


def pause_not_hang(args, target, path, log):
    """Whether a timeout or slow-unit artifact runs quickly on its own: libFuzzer's limits count
    the clock, so a fuzzer stopped (SIGSTOP) for longer than -timeout reports the input it was
    running as a hang. Such an artifact is removed; a real one stays."""
    name = os.path.basename(path)
    if not name.startswith(("timeout-", "slow-unit-")):
        return False
    quick = subprocess.run(
        [os.path.join(args.bin, target), path, "-timeout=30", "-rss_limit_mb=1024"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ).returncode == 0
    if quick:
        os.remove(path)
        log.write(f"{target}: {name} runs in under 30 s on its own (a pause): removed\n")
    return quick


def run_once(target, args, log, earlier):
    """One libFuzzer process; `earlier` is the row of this target's runs before it, if any."""
    corpus = os.path.join(FUZZ, "corpus", target)
    regressions = os.path.join(FUZZ, "regressions", target)
    # Time is the fuzzer's CPU time, not the clock's: on a shared machine a fuzzer at nice 19 is
    # starved by builds, or stopped (SIGSTOP) while a benchmark measures, and neither counts as
    # fuzzing. libFuzzer's own limits count the clock, so they are generous here (a paused
    # fuzzer's input would otherwise be kept as a "slow unit" that runs in milliseconds), and a
    # hang it reports is tried again on its own (`pause_not_hang`); its "Slowest unit" lines still
    # go to the log.
    command = [
        "nice", "-n", "19",
        os.path.join(args.bin, target), corpus,
        "-rss_limit_mb=1024", f"-timeout={args.timeout}", "-print_final_stats=1", "-print_pcs=1",
        f"-report_slow_units={args.timeout}",
        f"-artifact_prefix={regressions}/",
    ]
    # The target's words (keys, tags, chunk names), which mutations insert whole.
    dictionary = os.path.join(FUZZ, "dict", f"{target}.dict")
    if os.path.exists(dictionary):
        command.append(f"-dict={dictionary}")
    # AddressSanitizer records the call stack of every allocation, for its reports only; that is a
    # sixth of the catalog target's time. A crash's input is kept, and running it again under the
    # default options gives the stacks.
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "malloc_context_size=0")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, errors="replace", env=env)
    lines = queue.Queue()

    def read():
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    fuzzer = None
    # Minutes, coverage and its last growth carry on from the target's earlier runs.
    base = earlier["minutes"] if earlier else 0.0
    first = earlier["first"] if earlier else None
    last = earlier["last"] if earlier else None
    grew_at = earlier["last_new"] if earlier else 0.0
    # New edges in vitrin's own code, counted apart: most of what a long run still finds is in
    # the crates below it (url, idna, the Unicode tables), and the plateau may watch either.
    own = earlier["own"] if earlier else 0
    own_at = earlier["own_last_new"] if earlier else 0.0
    started = False
    symbolizer = None

    def watched():
        """When the coverage the plateau watches last grew."""
        return own_at if args.scope == "vitrin" else grew_at

    logged_at = base - 60.0
    crashed = False
    finished = False
    minutes = base
    while not finished:
        try:
            line = lines.get(timeout=5)
        except queue.Empty:
            line = ""
        if line is None:
            break
        if fuzzer is None:
            # nice execs the fuzzer in its own process, so the pid is the fuzzer's.
            fuzzer = process.pid
        spent = cpu_seconds(fuzzer)
        if spent is not None:
            minutes = base + spent / 60
        if CRASH.match(line):
            crashed = True
            log.write(f"{target}: {line}")
        if "INITED" in line:
            started = True
        # libFuzzer prints no NEW_PC while the kept corpus loads: each one is new in this run.
        pc = NEW_PC.search(line)
        if pc:
            if symbolizer is None:
                symbolizer = Symbolizer(os.path.join(args.bin, target), process.pid)
            frames = symbolizer.frames(*pc.groups())
            # Named by the innermost of vitrin's functions it is in, else by the innermost's crate.
            name, path = next((f for f in frames if f[1].startswith(SRC)), frames[0])
            where = place(path)
            log.write(f"{target} {minutes:.1f} min: new edge in {where}: {name[:100]}"
                      f" (in {frames[-1][0][:60]})\n")
            if where.startswith("src/"):
                own += 1
                own_at = minutes
        if "Slowest unit" in line:
            log.write(f"{target} {minutes:.1f} min: {line}")
        match = STATS.search(line)
        if match:
            cov = int(match.group(2))
            if first is None and started:
                # Coverage once the kept corpus has loaded; lines while it loads count less.
                first = cov
            if last is None or cov > last:
                grew_at = minutes
            last = cov
            if minutes - logged_at >= 1:
                logged_at = minutes
                log.write(f"{target} {minutes:.1f} cpu-min cov {cov} ft {match.group(3)} "
                          f"corp {match.group(4)} exec/s {match.group(5)} own-new {own}\n")
                log.flush()
        if minutes - watched() >= args.plateau or minutes >= args.max:
            process.terminate()
            finished = True
    process.wait()
    if symbolizer is not None:
        symbolizer.close()
    return {
        "target": target,
        "minutes": minutes,
        "first": first,
        "last": last,
        "last_new": grew_at,
        "own": own,
        "own_last_new": own_at,
        "plateau": minutes - watched() >= args.plateau - 0.1,
        "crashed": crashed,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--plateau", type=float, default=15)
    parser.add_argument("--max", type=float, default=60)
    parser.add_argument("--log", default="-")
    parser.add_argument("--scope", choices=["all", "vitrin"], default="all",
                        help="whose new edges hold off the plateau: any code's, or only vitrin's own (src/)")
    parser.add_argument("--timeout", type=int, default=900, help="libFuzzer's -timeout, clock seconds")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args()
    log = sys.stdout if args.log == "-" else open(args.log, "a", buffering=1)
    rows = [run(target, args, log) for target in args.targets]
    log.write("| target | ran | coverage (start → end) | last new coverage | new edges in src/, the last | ended by |\n")
    log.write("|---|---|---|---|---|---|\n")
    for row in rows:
        ended = "crash" if row["crashed"] else ("plateau" if row["plateau"] else "time limit")
        log.write(f"| {row['target']} | {row['minutes']:.0f} cpu-min | {row['first']} → {row['last']} "
                  f"| at {row['last_new']:.1f} min | {row['own']}, at {row['own_last_new']:.1f} min | {ended} |\n")
    return 1 if any(row["crashed"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
