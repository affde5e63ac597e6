"""``zhiku serve --workers N``: refused clearly (zh + en, exit code 2) on Milvus Lite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_serve_with_several_workers_on_milvus_lite_is_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIKU_")}
    env.update(ZHIKU_HOME=str(tmp_path / "home"), PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run(
        [sys.executable, "-c", "from zhiku.cli import main; main(['serve', '--workers', '2'])"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "多个工作进程需要 Milvus 服务器" in output and "several workers need a Milvus server" in output
    assert "ZHIKU_MILVUS_URI" in output
