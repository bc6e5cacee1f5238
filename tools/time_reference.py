#!/usr/bin/env python3
"""Times the reference script in-process: imports it, runs its main() with --anchor ANCHOR on a
dump REPEAT times with stdout discarded, and prints one JSON line with the median and minimum in
milliseconds (interpreter start-up and import excluded; main() includes reading the dump, as the
script does).

    python3 tools/time_reference.py ../shared/reference/sa_schedule_derive_from_last.py DUMP.json --anchor best
"""

import argparse
import contextlib
import importlib.util
import io
import json
import statistics
import sys
import time
import warnings


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("script")
    ap.add_argument("dump")
    ap.add_argument("--anchor", default="best")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("reference", args.script)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    times = []
    for _ in range(args.repeat):
        sys.argv = [args.script, args.dump, "--anchor", args.anchor]
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            ref.main()
            times.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "anchor": args.anchor,
                "repeats": args.repeat,
                "median_ms": round(statistics.median(times), 1),
                "min_ms": round(min(times), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
