"""scripts/simulate-payment.sh against the running binary (the README's commands)."""
import json
import os
import subprocess

from conftest import SOURCE_DIR, WEBHOOK_SECRET

SCRIPT = os.path.join(SOURCE_DIR, "scripts", "simulate-payment.sh")


def simulate(h, *args, env=None, cwd=None):
    e = {"PATH": os.environ["PATH"], "HOOKLINE_URL": h.url}
    e.update(env if env is not None else {"WEBHOOK_SECRET": WEBHOOK_SECRET})
    return subprocess.run([SCRIPT, *args], env=e, capture_output=True, text=True, timeout=20,
                          cwd=cwd)


def test_simulate_with_arguments_then_duplicate(hookline):
    p = simulate(hookline, "42", "evt_1")
    assert p.returncode == 0, p.stderr
    assert '{"status":"ok"}' in p.stdout and "HTTP 200" in p.stdout
    p = simulate(hookline, "42", "evt_1")
    assert p.returncode == 0
    assert '{"status":"duplicate_ignored"}' in p.stdout
    [row] = hookline.query("SELECT * FROM EventLog")
    assert row["id"] == "evt_1" and row["leadId"] == "42"
    assert row["type"] == "payment.succeeded" and row["source"] == "payment_service"
    payload = json.loads(row["payload"])
    assert payload["lead_id"] == 42 and payload["amount"] > 0 and payload["currency"]


def test_simulate_random_ids(hookline):
    for _ in range(3):
        assert simulate(hookline).returncode == 0
    rows = hookline.query("SELECT id, leadId FROM EventLog")
    assert len(rows) == 3
    assert all(r["id"].startswith("evt_") and r["leadId"].startswith("lead_") for r in rows)


def test_simulate_reads_the_secret_from_the_data_folder(start_hookline):
    h = start_hookline(env={"WEBHOOK_SECRET": None})
    # As in the README: run from the folder that holds data/.
    p = simulate(h, "7", "evt_from_file", env={}, cwd=h.workdir)
    assert p.returncode == 0, p.stdout + p.stderr
    assert h.query("SELECT leadId FROM EventLog")[0]["leadId"] == "7"


def test_simulate_fails_loudly(hookline):
    p = simulate(hookline, "1", "evt_bad", env={"WEBHOOK_SECRET": "wrong"})
    assert p.returncode != 0 and "HTTP 401" in p.stdout
    assert hookline.event_count() == 0
