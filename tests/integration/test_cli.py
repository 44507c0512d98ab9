"""The command line: configuration errors, generated secrets, version, verify."""
import hashlib
import hmac
import os
import stat
import subprocess

import pytest

from conftest import BIN, Hookline


def run(args, env=None, input=None, cwd=None):
    e = {"PATH": os.environ["PATH"]}
    e.update(env or {})
    return subprocess.run([BIN, *args], env=e, input=input, capture_output=True, timeout=20,
                          cwd=cwd)


@pytest.mark.parametrize("env,needle", [
    ({"PORT": "abc"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"PORT": "0"}, "PORT"),
    ({"DATABASE_URL": "mysql://x"}, "unknown scheme"),
    ({"HOOKLINE_MAX_BODY_BYTES": "-5"}, "MAX_BODY"),
    ({"HOOKLINE_RETRY_FACTOR": "0.1"}, "RETRY_FACTOR"),
    ({"HOOKLINE_LOG_LEVEL": "loud"}, "LOG_LEVEL"),
])
def test_invalid_configuration_exits_2_with_one_clear_line(workdir, env, needle):
    e = {"HOOKLINE_DATA_DIR": os.path.join(workdir, "data"), "PORT": "18999"}
    e.update(env)
    p = run(["serve"], env=e, cwd=workdir)
    assert p.returncode == 2, p
    err = p.stderr.decode()
    assert needle in err and err.count("\n") == 1, err


def test_unwritable_data_dir_exits_2(workdir):
    blocker = os.path.join(workdir, "file")
    open(blocker, "w").close()
    p = run(["serve"], env={"HOOKLINE_DATA_DIR": os.path.join(blocker, "data"),
                            "DATABASE_URL": f"sqlite:{workdir}/db/x.db"}, cwd=workdir)
    assert p.returncode == 2
    assert "HOOKLINE_DATA_DIR" in p.stderr.decode()


def test_port_in_use_exits_1(hookline, workdir):
    other = Hookline(os.path.join(workdir, "second"), port=hookline.port)
    os.makedirs(other.workdir)
    other.start(wait=False)
    assert other.proc.wait(10) == 1
    assert "cannot listen" in other.logs()


def test_help_and_version():
    p = run(["--help"])
    assert p.returncode == 0 and b"serve" in p.stdout
    p = run(["serve", "--help"])
    out = p.stdout.decode()
    for env in ["PORT", "HOST", "DATABASE_URL", "WEBHOOK_SECRET", "ADMIN_TOKEN",
                "HOOKLINE_MAX_ATTEMPTS", "HOOKLINE_RETRY_BASE_MS", "HOOKLINE_RETRY_FACTOR",
                "HOOKLINE_DELIVERY_TIMEOUT_MS", "HOOKLINE_MAX_BODY_BYTES"]:
        assert env in out, env
    p = run(["version"])
    assert p.returncode == 0 and p.stdout.startswith(b"hookline ")
    # The build links jemalloc, and malloc itself must be jemalloc's (app/allocator.h checks
    # with one allocation); a build that lost it says "memory allocator glibc".
    assert b"memory allocator jemalloc 5." in p.stdout, p.stdout


def test_secrets_are_generated_once_with_mode_0600_and_reused(start_hookline):
    h = start_hookline(env={"WEBHOOK_SECRET": None, "ADMIN_TOKEN": None})
    path = os.path.join(h.data_dir, "webhook_secret")
    secret = open(path).read().strip()
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.join(h.data_dir, "admin_token")).st_mode) == 0o600
    assert h.post_payment("gen1", secret=secret).status_code == 200
    assert h.stop() == 0
    logs = h.logs()
    assert secret not in logs  # not a terminal: only where it is kept is printed
    assert path in logs
    h.start()
    assert open(path).read().strip() == secret
    assert h.post_payment("gen2", secret=secret).status_code == 200


def test_migrate_command(workdir):
    db = os.path.join(workdir, "m.db")
    p = run(["migrate"], env={"DATABASE_URL": f"sqlite:{db}"})
    assert p.returncode == 0, p
    assert b"schema version" in p.stdout
    assert os.path.exists(db)


def test_verify_command(workdir):
    body = b'{"event":"render.completed","assessment_id":"FR-20260109-123456"}'
    sig = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    f = os.path.join(workdir, "body.json")
    with open(f, "wb") as fh:
        fh.write(body)
    p = run(["verify", "--secret", "s3cret", "--signature", sig, f])
    assert p.returncode == 0 and p.stdout.strip() == b"valid"
    p = run(["verify", "--secret", "s3cret", "--signature", sig.upper()], input=body)
    assert p.returncode == 0
    p = run(["verify", "--secret", "other", "--signature", sig, f])
    assert p.returncode == 1 and p.stdout.strip() == b"invalid"
    p = run(["verify", "--secret", "s3cret", "--signature", sig], input=body + b" ")
    assert p.returncode == 1


def run_verify(args, stdin=None):
    return subprocess.run([BIN, "verify", *args], input=stdin, capture_output=True, timeout=10)


def test_verify_cli_exit_codes(tmp_path):
    body = b'{"event":"render.completed","assessment_id":"FR-20260109-123456","status":"completed","timestamp":"2026-01-09T05:38:01.449Z"}'
    secret = "whsec-test-0123456789"
    good = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    f = tmp_path / "body.json"
    f.write_bytes(body)
    r = run_verify(["--secret", secret, "--signature", good, str(f)])
    assert r.returncode == 0 and r.stdout.strip() == b"valid"
    r = run_verify(["--secret", secret, "--signature", good.upper(), str(f)])
    assert r.returncode == 0
    r = run_verify(["--secret", secret, "--signature", good], stdin=body)  # stdin
    assert r.returncode == 0 and r.stdout.strip() == b"valid"
    bad = ("0" if good[0] != "0" else "1") + good[1:]
    r = run_verify(["--secret", secret, "--signature", bad, str(f)])
    assert r.returncode == 1 and r.stdout.strip() == b"invalid"
    r = run_verify(["--secret", "other-secret-value", "--signature", good, str(f)])
    assert r.returncode == 1
    r = run_verify(["--secret", secret, "--signature", good], stdin=body + b" ")  # one byte more
    assert r.returncode == 1
    r = run_verify(["--secret", secret, "--signature", "not-hex"], stdin=body)
    assert r.returncode == 1
    r = run_verify(["--secret", secret, "--signature", good, str(tmp_path / "missing")])
    assert r.returncode not in (0, 1)  # an unreadable file is neither valid nor invalid
