"""The shipped deployment files are consistent: images, ports, volumes, the Milvus wiring.

Docker is not available where the tests run, so the compose file is parsed and checked; the
image itself is built only where Docker exists (``docker build -t zhiku .``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from zhiku.config import load_settings
from zhiku.errors import ConfigError
from zhiku.server.workers import check_workers

yaml = pytest.importorskip("yaml")

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8")))


def test_services_images_are_pinned(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"etcd", "minio", "milvus", "zhiku"}
    for name in ("etcd", "minio", "milvus"):
        image = services[name]["image"]
        assert re.search(r":[^:]+$", image) and not image.endswith(":latest"), image  # pinned tags
    assert services["milvus"]["image"].startswith("milvusdb/milvus:v2.")
    assert services["milvus"]["command"] == ["milvus", "run", "standalone"]
    assert services["zhiku"]["build"]["dockerfile"] == "Dockerfile"
    assert (REPO / "deploy" / services["zhiku"]["build"]["context"] / "Dockerfile").is_file()


def test_ports_are_published_on_loopback_only(compose: dict[str, Any]) -> None:
    published = {name: svc.get("ports", []) for name, svc in compose["services"].items() if svc.get("ports")}
    assert published == {"milvus": ["127.0.0.1:19530:19530"], "zhiku": ["127.0.0.1:8000:8000"]}


def test_volumes_are_named_and_declared(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    mounts = {
        name: [v.split(":")[0] for v in svc.get("volumes", []) if not v.startswith("./")]
        for name, svc in compose["services"].items()
    }
    binds = [v for svc in compose["services"].values() for v in svc.get("volumes", []) if v.startswith("./")]
    assert binds == ["./milvus-user.yaml:/milvus/configs/user.yaml:ro"]  # one read-only config file
    user = yaml.safe_load((REPO / "deploy" / "milvus-user.yaml").read_text(encoding="utf-8"))
    assert user["queryNode"]["segcore"]["interimIndex"]["enableIndex"] is False
    assert mounts == {
        "etcd": ["etcd-data"],
        "minio": ["minio-data"],
        "milvus": ["milvus-data"],
        "zhiku": ["zhiku-home"],
    }
    assert declared == {v for vs in mounts.values() for v in vs}


def test_zhiku_is_wired_to_the_milvus_server(compose: dict[str, Any]) -> None:
    env = compose["services"]["zhiku"]["environment"]
    assert env["ZHIKU_MILVUS_URI"] == "http://milvus:19530"
    assert env["ZHIKU_HOME"] == "/data" and env["ZHIKU_SERVER__HOST"] == "0.0.0.0"
    assert "ZHIKU_ADMIN_KEY:?" in env["ZHIKU_SERVER__ADMIN_KEY"]  # compose refuses to start without one
    assert compose["services"]["zhiku"]["depends_on"]["milvus"]["condition"] == "service_healthy"
    milvus_env = compose["services"]["milvus"]["environment"]
    assert milvus_env["ETCD_ENDPOINTS"] == "etcd:2379" and milvus_env["MINIO_ADDRESS"] == "minio:9000"
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "EXPOSE 8000" in dockerfile and "ZHIKU_HOME=/data" in dockerfile
    assert "--workers ${ZHIKU_WORKERS:-1}" in dockerfile


def test_several_workers_need_a_milvus_server(tmp_path: Path) -> None:
    lite = load_settings(home=tmp_path)
    with pytest.raises(ConfigError) as info:
        check_workers(lite, 2)
    assert "Milvus" in info.value.zh and "多个工作进程" in info.value.zh
    assert "several workers need a Milvus server" in info.value.en
    check_workers(lite, 1)
    check_workers(load_settings(home=tmp_path, index={"milvus_uri": "http://127.0.0.1:19530"}), 4)
    with pytest.raises(ConfigError):
        check_workers(lite, 0)
