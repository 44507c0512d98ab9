"""bench/lib.sh's reports: targets_report, the lines the bench scripts print after the
yardstick's table (hookline's ratio to each anchor, the median over runs, and the CPU ceiling of
each run), from result files of the yardstick's format; and store_report and store_rates, what
hookline's /metrics say about a run, from files of ours_metrics' format (one taken from a real
server here). The benchmarks themselves run by hand, never here; this checks the arithmetic that
bench/RESULTS.md quotes.
"""
import os
import subprocess

from conftest import SOURCE_DIR


def lib_call(tmp_path, function, *args, env=None):
    """Runs one bench/lib.sh function; lib.sh refuses to load without a yardstick folder."""
    yardstick = tmp_path / "yardstick"
    if not yardstick.exists():
        yardstick.mkdir()
        (yardstick / "compare-ingest.sh").write_text("#!/bin/sh\nexit 1\n")
        (yardstick / "compare-ingest.sh").chmod(0o755)
    lib = os.path.join(SOURCE_DIR, "bench", "lib.sh")
    out = subprocess.run(
        ["bash", "-c", f'. "{lib}"; {function} "$@"', function, *args],
        env={**os.environ, **(env or {}), "YARDSTICK": str(yardstick)},
        capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.splitlines()


def report(tmp_path, targets, runs):
    files = []
    for i, rows in enumerate(runs):
        path = tmp_path / f"ingest-{i}.tsv"
        lines = ["# 2026-12-03T00:00:00Z 2 cores, wrk -t1 -c64 -d10s, MODE=unique"]
        lines += [f"{name}\t{fields}" for name, fields in rows]
        path.write_text("\n".join(lines) + "\n")
        files.append(str(path))
    return lib_call(tmp_path, "targets_report", targets, *files)


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
        # 30,000 req/s on 2 cores is 66.7 us a request, 46.7 once wrk has had its 20;
        # nginx's 0.77 cores over 60,000 req/s are 12.8 us a request.
        "  CPU per request, run 1: hookline 48.0 us, wrk 20.0 us; the machine 1.40 of 2 cores "
        "busy. At that cost 2 cores carry at most 29412 req/s; 0.5 x nginx needs 30000 (above "
        "it; it leaves hookline 46.7 us a request); 10 x node-fastify-pg needs 30000 (above it; "
        "it leaves hookline 46.7 us a request); nginx spent 12.8 us a request",
        "targets, run 2: hookline 22000 req/s: 0.55x nginx (>= 0.5: met) | "
        "11.00x node-fastify-pg (>= 10: met) | p99 11.00 ms (<= 10: NOT met)",
        "  CPU per request, run 2: hookline 45.5 us, wrk 19.1 us; the machine 1.50 of 2 cores "
        "busy. At that cost 2 cores carry at most 30986 req/s; 0.5 x nginx needs 20000 (within "
        "it; it leaves hookline 80.9 us a request); 10 x node-fastify-pg needs 20000 (within "
        "it; it leaves hookline 80.9 us a request); nginx spent 19.2 us a request",
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
        "pgbench needs 24000 (within it; it leaves hookline 33.3 us a request); 8 x "
        "node-fastify-pg needs 24000 (within it; it leaves hookline 33.3 us a request)")
    assert lines[2] == ("targets, run 2: hookline 16000 req/s: 2.00x pgbench (>= 3: NOT met) | "
                        "A: no figure")
    assert not any("CPU per request, run 2" in line for line in lines)


def test_a_target_that_wrk_and_the_database_alone_would_fill_leaves_hookline_no_cpu(tmp_path):
    p3 = [
        ("C nginx", "req/s=50000 cpu_machine=1.80/2 cpu_client=0.97 cpu_server=0.40"),
        ("D pgbench -c16", "req/s=8000"),
        ("A node-fastify-pg", "req/s=6000"),
        ("B ours", "req/s=16000 p99_ms=8.0 cpu_machine=1.36/2 cpu_client=0.32 cpu_server=0.48 "
                   "cpu_db=0.48"),
    ]
    # 8 x 6,000 = 48,000 req/s is 41.7 us a request on 2 cores; wrk and PostgreSQL take 50.
    assert report(tmp_path, "D:3 A:8", [p3])[1] == (
        "  CPU per request, run 1: hookline 30.0 us, wrk 20.0 us, PostgreSQL 30.0 us; the "
        "machine 1.36 of 2 cores busy. At that cost 2 cores carry at most 25000 req/s; 3 x "
        "pgbench needs 24000 (within it; it leaves hookline 33.3 us a request); 8 x "
        "node-fastify-pg needs 48000 (above it; it leaves hookline no CPU at all); nginx spent "
        "8.0 us a request")


def metrics_file(tmp_path, name, values):
    """A file as ours_metrics writes it: "name value" lines in C-locale order."""
    path = tmp_path / name
    path.write_text("".join(f"{k} {v}\n" for k, v in sorted(values.items())))
    return str(path)


BEFORE = {
    "hookline_store_transactions_total": 1000,
    "hookline_store_jobs_total": 16000,
    "hookline_store_wal_syncs_total": 600,
    "hookline_store_sync_seconds_total": 0.3,
    "hookline_store_commit_seconds_total": 0.25,
    "hookline_store_checkpoint_passes_total": 3,
    "hookline_store_wal_restarts_total": 2,
    'hookline_store_wal_sync_duration_seconds_bucket{le="0.0025"}': 597,
    'hookline_http_request_duration_seconds_bucket{le="0.01"}': 15900,
    "hookline_http_request_duration_seconds_count": 16000,
}


def test_store_report_reads_the_counters_and_the_histogram_buckets(tmp_path):
    lines = lib_call(tmp_path, "store_report", metrics_file(tmp_path, "m", BEFORE))
    # 16,000 jobs in 1,000 transactions; 0.3 s over 600 flushes is 500 us, 3 of them over
    # 2.5 ms; 100 of 16,000 requests over 10 ms.
    assert lines == [
        "hookline /metrics: 1000 transactions of 16.0 requests; 600 WAL flushes, 500 us mean, "
        "0.50% over 2.5 ms; 3 checkpoint passes, 2 WAL restarts; 0.62% of requests over 10 ms "
        "in the server"]
    empty = metrics_file(tmp_path, "empty", {"hookline_http_request_duration_seconds_count": 5})
    assert lib_call(tmp_path, "store_report", empty) == ["hookline /metrics: no write transactions"]


def test_store_rates_are_the_differences_over_the_seconds_between_two_files(tmp_path):
    after = dict(BEFORE)
    after.update({
        "hookline_store_transactions_total": 9000,       # 8,000 in 4 s: 2,000 a second
        "hookline_store_jobs_total": 16000 + 8000 * 25,  # of 25 jobs
        "hookline_store_commit_seconds_total": 1.85,     # 1.6 s of 4: 40%
        "hookline_store_wal_syncs_total": 4600,          # 4,000 in 4 s: 1,000 a second
        "hookline_store_sync_seconds_total": 2.3,        # 2 s over them: 500 us, 50%
    })
    before, after = metrics_file(tmp_path, "m0", BEFORE), metrics_file(tmp_path, "m1", after)
    assert lib_call(tmp_path, "store_rates", before, after, "4") == [
        "2000 transactions/s of 25.0 jobs (writer in them 40% of the time); 1000 WAL flushes/s "
        "of 500 us (sync thread in them 50%)"]
    assert lib_call(tmp_path, "store_rates", before, before, "4") == ["no write transactions"]


def test_ours_metrics_reads_a_running_server_in_the_format_the_reports_take(tmp_path, start_hookline):
    hookline = start_hookline(env={"ADMIN_TOKEN": "bench-admin"})  # the bench scripts' token
    for i in range(3):
        assert hookline.post_payment(f"evt_bench_{i}").status_code == 200
    port = hookline.url.rsplit(":", 1)[1]
    lines = lib_call(tmp_path, "ours_metrics", env={"OURS_PORT": port})
    (tmp_path / "now").write_text("".join(line + "\n" for line in lines))
    report = lib_call(tmp_path, "store_report", str(tmp_path / "now"))
    assert lines == sorted(lines, key=lambda line: line.encode())
    assert all(len(line.split()) == 2 and not line.startswith("#") for line in lines)
    names = {line.split()[0] for line in lines}
    for name in ("hookline_store_transactions_total", "hookline_store_jobs_total",
                 "hookline_store_wal_syncs_total", "hookline_store_sync_seconds_total",
                 "hookline_store_commit_seconds_total", "hookline_store_checkpoint_passes_total",
                 "hookline_store_wal_restarts_total", "hookline_http_request_duration_seconds_count",
                 'hookline_store_wal_sync_duration_seconds_bucket{le="0.0025"}',
                 'hookline_http_request_duration_seconds_bucket{le="0.01"}',
                 "hookline_store_commit_waits_total", "hookline_store_commit_waits_quiet_total",
                 "hookline_store_commit_wait_quiet_seconds"):
        assert name in names, name
    assert len(report) == 1 and report[0].startswith("hookline /metrics: "), report
    assert "no write transactions" not in report[0]


def test_median_of_an_odd_and_an_even_count(tmp_path):
    """bench/p5-growth.sh's ratio over its pairs."""
    assert lib_call(tmp_path, "median", "1.05", "0.91", "0.73") == ["0.91"]
    assert lib_call(tmp_path, "median", "0.97", "1.00") == ["0.985"]
    assert lib_call(tmp_path, "median", "10", "9", "100", "2") == ["9.5"]  # numbers, not text

