"""The Dockerfiles, read as text (no Docker engine here): one per deployable, each installing only
its own package from the workspace lock, running unprivileged on python:3.11-slim."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labs_common.config import SERVICE_PORT_OFFSETS, BaseLabsSettings

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {p.parent.name: p.parent for p in sorted((ROOT / "services").glob("*/pyproject.toml"))}
FOLDERS["gateway"] = ROOT / "gateway"
PORT_BASE = BaseLabsSettings.model_fields["port_base"].default
RUNTIME_IMAGE = "python:3.11-slim"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(dockerfile: Path) -> list[Stage]:
    """Stages with their instructions; comments dropped, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), " ".join(args.split())
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args, re.IGNORECASE)
            stages.append(Stage(match[1], match[2]))
        else:
            stages[-1].instructions.append((keyword, args))
    return stages


def lineage(stages: list[Stage], stage: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, nearest first."""
    by_name = {s.name: s for s in stages if s.name}
    chain = [stage]
    while chain[-1].base in by_name:
        chain.append(by_name[chain[-1].base])
    return chain


def effective(stages: list[Stage], stage: Stage, keyword: str) -> str | None:
    """The last value of an inherited instruction (USER, ENTRYPOINT...) for a stage."""
    for ancestor in lineage(stages, stage):
        if values := ancestor.all(keyword):
            return values[-1]
    return None


@pytest.fixture(params=sorted(FOLDERS), name="name")
def name_fixture(request) -> str:
    return request.param


def test_every_deployable_has_a_dockerfile(name):
    assert (FOLDERS[name] / "Dockerfile").is_file(), f"{name} has no Dockerfile"


def test_it_installs_only_its_own_package_from_the_lock_deps_first(name):
    stages = parse(FOLDERS[name] / "Dockerfile")
    package = tomllib.loads((FOLDERS[name] / "pyproject.toml").read_text())["project"]["name"]
    assert package == f"labs-{name}"
    syncs = [args for s in stages for kw, args in s.instructions
             if kw == "RUN" and "uv sync" in args]
    assert len(syncs) == 2, "a dependencies-only sync, then the workspace members"
    for args in syncs:
        assert f"--package {package} " in args + " "
        assert "--frozen" in args and "--no-dev" in args
    assert "--no-install-workspace" in syncs[0] and "--no-install-workspace" not in syncs[1]
    # The first sync sees only the lock and manifests; sources are copied between the two.
    builder = next(s for s in stages if any("uv sync" in a for a in s.all("RUN")))
    keywords = [(kw, args) for kw, args in builder.instructions]
    first = keywords.index(("RUN", syncs[0]))
    second = keywords.index(("RUN", syncs[1]))
    copies = [args for kw, args in keywords[first:second] if kw == "COPY"]
    folder = FOLDERS[name].relative_to(ROOT).as_posix()
    assert any(args.startswith(f"{folder}/") for args in copies), "its own sources"
    assert any(args.startswith("protos/") for args in copies), "protos/ for labs-protos' build hook"
    early = [a for kw, a in keywords[:first] if kw in ("COPY", "ADD")]
    assert all(a.startswith("--from=") for a in early), "sources copied before the dependencies"


def test_the_final_image_is_slim_unprivileged_and_runs_its_module(name):
    stages = parse(FOLDERS[name] / "Dockerfile")
    final = stages[-1]
    assert lineage(stages, final)[-1].base == RUNTIME_IMAGE
    user = effective(stages, final, "USER")
    assert user is not None and user.split(":")[0] not in ("root", "0"), "runs as root"
    assert user.split(":")[0] == "10001"
    assert json.loads(effective(stages, final, "ENTRYPOINT")) == ["python", "-m", f"labs_{name}"]
    port = 8000 if name == "gateway" else PORT_BASE + SERVICE_PORT_OFFSETS[name]
    assert effective(stages, final, "EXPOSE") == str(port)
    env = " ".join(a for s in lineage(stages, final) for a in s.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    # No uv, no compiler: only the virtualenv is copied from the builder.
    for stage in lineage(stages, final):
        assert not [a for a in stage.all("RUN") if re.search(r"apt-get|pip |uv ", a)]
        for args in stage.all("COPY"):
            assert args.startswith("--from=builder") and args.endswith("/app/.venv /app/.venv")


def test_tilt_has_a_dev_target_on_the_same_runtime(name):
    stages = parse(FOLDERS[name] / "Dockerfile")
    dev = next((s for s in stages if s.name == "dev"), None)
    assert dev is not None, "the Tiltfile builds target='dev'"
    assert lineage(stages, dev)[-1].base == RUNTIME_IMAGE
    assert effective(stages, dev, "USER").split(":")[0] == "10001"


def test_base_images_are_pinned(name):
    text = (FOLDERS[name] / "Dockerfile").read_text()
    stages = parse(FOLDERS[name] / "Dockerfile")
    names = {s.name for s in stages}
    external = [s.base for s in stages if s.base not in names]
    external += re.findall(r"--from=(\S+/\S+)", text)
    for image in external:
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", f"{image} is not pinned"


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/.venv", "**/__pycache__", "**/tests", "libs/protos/src/labs", ".git"):
        assert pattern in ignored
    for needed in ("protos", "libs", "uv.lock", "pyproject.toml"):
        assert needed not in ignored
