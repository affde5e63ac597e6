"""``zhiku keys …`` and ``zhiku serve`` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from zhiku.cli import main
from zhiku.cli.serve import _is_loopback, _with_admin_key
from zhiku.config import load_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.unit
def test_keys_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZHIKU_HOME", str(tmp_path))
    monkeypatch.delenv("ZHIKU_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    main(["keys", "create", "analyst", "--grant", "demo:read", "-g", "财务:write", "--json"])
    created = json.loads(capsys.readouterr().out)
    assert created["key"].startswith("zk-") and created["grants"] == ["demo:read", "财务:write"]
    main(["keys", "list", "--json"])
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["key_id"] == created["key_id"] and created["key"] not in json.dumps(listed)
    main(["keys", "revoke", created["key_id"]])
    main(["keys", "list", "--json"])
    assert json.loads(capsys.readouterr().out.splitlines()[-1])[0]["revoked"] is True
    with pytest.raises(SystemExit) as bad:
        main(["keys", "create", "x", "--grant", "demo:owner"])
    assert bad.value.code == 8  # QueryError


@pytest.mark.unit
def test_loopback_and_one_run_admin_key(tmp_path: Path) -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.5")
    settings, key = _with_admin_key(load_settings(home=tmp_path))
    assert key and settings.server.admin_key.get_secret_value() == key
    assert key not in repr(settings)  # a SecretStr never prints
    fixed, none = _with_admin_key(load_settings(home=tmp_path, server={"admin_key": "k"}))
    assert none is None and fixed.server.admin_key.get_secret_value() == "k"


@pytest.mark.integration
def test_serve_binds_loopback_and_prints_a_login_link(tmp_path: Path) -> None:
    env = dict(os.environ, ZHIKU_HOME=str(tmp_path), PYTHONPATH=str(REPO / "src"))
    env.pop("ZHIKU_SERVER__ADMIN_KEY", None)
    env.pop("ZHIKU_CONFIG", None)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, "-c", "from zhiku.cli import main; main()", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        link = ""
        for line in proc.stdout:  # the link is printed before the server starts
            if "#key=" in line:
                link = line.strip()
                break
        assert f"http://127.0.0.1:{port}/#key=zk-admin-" in link
        key = link.split("#key=")[1]
        deadline = time.time() + 60
        while True:
            try:
                me = httpx.get(
                    f"http://127.0.0.1:{port}/api/me", headers={"Authorization": f"Bearer {key}"}, timeout=2
                )
                break
            except httpx.HTTPError:
                assert time.time() < deadline, "zhiku serve did not start"
                time.sleep(0.2)
        assert me.status_code == 200 and me.json()["admin"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
