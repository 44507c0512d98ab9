"""bench/lib.sh's targets_report: the lines the bench scripts print after the yardstick's table
(hookline's ratio to each anchor, the median over runs, and the CPU ceiling of each run), from
result files of the yardstick's format. The benchmarks themselves run by hand, never here; this
checks the arithmetic that bench/RESULTS.md quotes.
"""
import os
import subprocess

from conftest import SOURCE_DIR


def report(tmp_path, targets, runs):
    # lib.sh refuses to load without a yardstick folder; the report reads only result files.
    yardstick = tmp_path / "yardstick"
    yardstick.mkdir()
    (yardstick / "compare-ingest.sh").write_text("#!/bin/sh\nexit 1\n")
    (yardstick / "compare-ingest.sh").chmod(0o755)
    files = []
    for i, rows in enumerate(runs):
        path = tmp_path / f"ingest-{i}.tsv"
        lines = ["# 2026-12-03T00:00:00Z 2 cores, wrk -t1 -c64 -d10s, MODE=unique"]
        lines += [f"{name}\t{fields}" for name, fields in rows]
        path.write_text("\n".join(lines) + "\n")
        files.append(str(path))
    lib = os.path.join(SOURCE_DIR, "bench", "lib.sh")
    out = subprocess.run(
        ["bash", "-c", f'. "{lib}"; targets_report "$@"', "report", targets, *files],
        env={**os.environ, "YARDSTICK": str(yardstick)},
        capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.splitlines()


P1_RUN_1 = [
    ("C nginx", "req/s=60000 p50_ms=0.45 p99_ms=1.80 cpu_machine=1.80/2 cpu_client=0.97 cpu_server=0.77"),
    ("A node-fastify-pg", "req/s=3000 p50_ms=18.0 p99_ms=35.0 cpu_machine=1.71/2 cpu_db=0.68"),
    ("B ours", "req/s=20000 p50_ms=3.00 p99_ms=9.50 cpu_machine=1.40/2 cpu_client=0.40 cpu_server=0.96"),
    ("E sqlite FULL txn=64", "req/s=61146"),
]
P1_RUN_2 = [
    ("C nginx", "req/s=40000 p50_ms=0.45 p99_ms=1.80 cpu_machine=1.80/2 cpu_client=0.97 cpu_server=0.77"),
    ("A node-fastify-pg", "req/s=2000 p50_ms=18.0 p99_ms=35.0"),
    ("B ours", "req/s=22000 p50_ms=3.00 p99_ms=11.00 cpu_machine=1.50/2 cpu_client=0.42 cpu_server=1.00"),
]


def test_ratios_medians_and_the_cpu_ceiling_of_each_run(tmp_path):
    lines = report(tmp_path, "C:0.5 A:10 p99:10", [P1_RUN_1, P1_RUN_2])
    assert lines == [
        "targets, run 1: hookline 20000 req/s: 0.33x nginx (>= 0.5: NOT met) | "
        "6.67x node-fastify-pg (>= 10: NOT met) | p99 9.50 ms (<= 10: met)",
        # 20,000 req/s on 0.96 + 0.40 cores: 48 and 20 us a request, 2 cores carry 29,412.
        "  CPU per request, run 1: hookline 48.0 us, wrk 20.0 us; the machine 1.40 of 2 cores "
        "busy. At that cost 2 cores carry at most 29412 req/s; 0.5 x nginx needs 30000 (above "
        "it); 10 x node-fastify-pg needs 30000 (above it)",
        "targets, run 2: hookline 22000 req/s: 0.55x nginx (>= 0.5: met) | "
        "11.00x node-fastify-pg (>= 10: met) | p99 11.00 ms (<= 10: NOT met)",
        "  CPU per request, run 2: hookline 45.5 us, wrk 19.1 us; the machine 1.50 of 2 cores "
        "busy. At that cost 2 cores carry at most 30986 req/s; 0.5 x nginx needs 20000 (within "
        "it); 10 x node-fastify-pg needs 20000 (within it)",
        "targets, median of 2 runs: 0.44x nginx (>= 0.5: NOT met) | "
        "8.83x node-fastify-pg (>= 10: NOT met) | p99 10.25 ms (<= 10: NOT met)",
    ]


def test_the_database_cpu_counts_in_the_ceiling_and_old_files_get_no_cpu_line(tmp_path):
    p3 = [
        ("D pgbench -c16", "req/s=8000 p50_ms=1.4 p99_ms=6.9 cpu_machine=1.71/2 cpu_client=0.25 cpu_db=1.39"),
        ("A node-fastify-pg", "req/s=3000 p50_ms=18.0 p99_ms=35.0"),
        ("B ours", "req/s=16000 p50_ms=3.0 p99_ms=8.0 cpu_machine=1.36/2 cpu_client=0.32 "
                   "cpu_server=0.48 cpu_db=0.48"),
    ]
    without_cpu = [("D pgbench -c16", "req/s=8000"), ("B ours", "req/s=16000 p99_ms=8.0")]
    lines = report(tmp_path, "D:3 A:8", [p3, without_cpu])
    # 16,000 req/s on 0.48 + 0.32 + 0.48 cores = 80 us a request: 2 cores carry 25,000.
    assert lines[1] == (
        "  CPU per request, run 1: hookline 30.0 us, wrk 20.0 us, PostgreSQL 30.0 us; the "
        "machine 1.36 of 2 cores busy. At that cost 2 cores carry at most 25000 req/s; 3 x "
        "pgbench needs 24000 (within it); 8 x node-fastify-pg needs 24000 (within it)")
    assert lines[2] == ("targets, run 2: hookline 16000 req/s: 2.00x pgbench (>= 3: NOT met) | "
                        "A: no figure")
    assert not any("CPU per request, run 2" in line for line in lines)
