"""The one Dockerfile, read as text (no Docker engine here) and evaluated for each deployable with
the build arguments that name it: each installs only its own package from the workspace lock and
runs it unprivileged on python:3.11-slim."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labs_common.config import SERVICE_PORT_OFFSETS, SERVICES, BaseLabsSettings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
# Every deployable: the services config.py knows and those with a folder (each must be both,
# test_every_service_has_a_folder_and_a_port), and the gateway.
FOLDERS = {name: ROOT / "services" / name for name in SERVICES}
FOLDERS |= {p.parent.name: p.parent for p in sorted((ROOT / "services").glob("*/pyproject.toml"))}
FOLDERS["gateway"] = ROOT / "gateway"
PORT_BASE = BaseLabsSettings.model_fields["port_base"].default
GATEWAY_PORT = 8000
RUNTIME_IMAGE = "python:3.11-slim"
# Instructions whose arguments the builder expands with ARG and ENV values. RUN's command is left
# to the shell (the same values reach it as variables) but its --mount flags are expanded;
# ENTRYPOINT and CMD in exec form are never expanded.
EXPANDED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME",
            "WORKDIR", "RUN"}


def build_args(name: str) -> dict[str, str]:
    """What names a deployable to the Dockerfile: `docker build --build-arg K=V ...`."""
    if name == "gateway":
        return {"SERVICE": "gateway", "FOLDER": "gateway", "PORT": str(GATEWAY_PORT)}
    return {"SERVICE": name, "PORT": str(PORT_BASE + SERVICE_PORT_OFFSETS[name])}


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def expand(text: str, values: dict[str, str]) -> str:
    """${NAME}, ${NAME:-default} and $NAME, as the Dockerfile frontend substitutes them."""
    def value(match: re.Match) -> str:
        name, default = match["braced"] or match["bare"], match["default"]
        found = values.get(name, "")
        return found if found or default is None else default
    return re.sub(r"\$(?:\{(?P<braced>\w+)(?::-(?P<default>[^}]*))?\}|(?P<bare>\w+))", value, text)


def parse(dockerfile: Path, args: dict[str, str]) -> list[Stage]:
    """Stages with their instructions, for these build args: comments dropped, continuation lines
    joined, ARG scoping (global defaults, imported per stage) and ENV values applied."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), " ".join(rest.split())
        scope = stages[-1].args if stages else global_args
        if keyword == "ARG":
            name, has_default, default = rest.partition("=")
            if name in args:
                scope[name] = args[name]
            elif has_default:
                scope[name] = expand(default.strip('"'), scope)
            else:  # in a stage, `ARG NAME` imports the global value
                scope[name] = global_args.get(name, "") if stages else ""
        elif keyword in EXPANDED:
            values = {**(stages[-1].env if stages else {}), **scope}
            if keyword == "RUN":
                flags = re.match(r"((?:--\S+\s+)*)(.*)", rest)
                rest = expand(flags[1], values) + flags[2]
            else:
                rest = expand(rest, values)
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", rest, re.IGNORECASE)
            parent = next((s for s in stages if s.name and s.name == match[1]), None)
            stages.append(Stage(match[1], match[2], env=dict(parent.env) if parent else {}))
            continue
        if keyword == "ENV":
            stages[-1].env |= {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', rest)}
        if stages:
            stages[-1].instructions.append((keyword, rest))
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


def command(stage: Stage, entrypoint: list[str]) -> list[str]:
    """What the container runs: an `sh -c 'exec ...' --` entrypoint resolved with the image's
    environment, the container's arguments ("$@") left out."""
    if entrypoint[:2] != ["/bin/sh", "-c"]:
        return entrypoint
    script, *rest = entrypoint[2:]
    assert rest == ["--"], "the container's arguments must reach the process as \"$@\""
    words = shlex.split(script)
    assert words[0] == "exec", "sh must exec the process: PID 1 gets SIGTERM, not the shell"
    assert words[-1] == "$@", "the container's arguments (the init container's `migrate`)"
    return [expand(word, stage.env) for word in words[1:-1]]


@pytest.fixture(params=sorted(FOLDERS), name="name")
def name_fixture(request) -> str:
    return request.param


@pytest.fixture(name="stages")
def stages_fixture(name) -> list[Stage]:
    return parse(DOCKERFILE, build_args(name))


def test_one_dockerfile_serves_every_deployable():
    assert DOCKERFILE.is_file()
    copies = [*ROOT.glob("services/*/Dockerfile"), *ROOT.glob("gateway/**/Dockerfile"),
              *ROOT.glob("libs/*/Dockerfile"), *ROOT.glob("deploy/**/Dockerfile")]
    stray = sorted(p.relative_to(ROOT).as_posix() for p in copies)
    assert not stray, f"a copy of the Dockerfile: {stray}; build args tell the images apart"


def test_every_service_has_a_folder_and_a_port(name):
    assert (FOLDERS[name] / "pyproject.toml").is_file(), f"{name}: no {FOLDERS[name]}"
    assert name == "gateway" or name in SERVICE_PORT_OFFSETS, f"{name}: no port offset"


def test_its_build_args_name_its_folder_package_and_module(name, stages):
    builder = stages[0]
    assert ROOT / builder.args["FOLDER"] == FOLDERS[name]
    pyproject = tomllib.loads((FOLDERS[name] / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == f"labs-{builder.args['SERVICE']}" == f"labs-{name}"
    assert (FOLDERS[name] / "src" / f"labs_{name}" / "__main__.py").is_file()


def test_it_installs_only_its_own_package_from_the_lock_deps_first(name, stages):
    package = f"labs-{name}"
    folder = FOLDERS[name].relative_to(ROOT).as_posix()
    syncs = [args for s in stages for kw, args in s.instructions
             if kw == "RUN" and "uv sync" in args]
    assert len(syncs) == 2, "a dependencies-only sync, then the workspace members"
    builder = next(s for s in stages if any("uv sync" in a for a in s.all("RUN")))
    for args in syncs:
        # The shell expands the build arg (RUN sees ARG values as variables).
        assert f"--package {package} " in expand(args, builder.args) + " "
        assert "--frozen" in args and "--no-dev" in args
    assert "--no-install-workspace" in syncs[0] and "--no-install-workspace" not in syncs[1]
    # The first sync sees only the lock and manifests, its own among them; sources are copied
    # between the two.
    mounts = re.findall(r"--mount=type=bind,source=(\S+?),target=(\S+)", syncs[0])
    assert (f"{folder}/pyproject.toml", f"{folder}/pyproject.toml") in mounts
    for source, _ in mounts:
        assert (ROOT / source).is_file(), f"{name}: the build mounts a missing {source}"
    assert builder.env.get("UV_PROJECT_ENVIRONMENT") == "/app/.venv"
    keywords = builder.instructions
    first = keywords.index(("RUN", syncs[0]))
    second = keywords.index(("RUN", syncs[1]))
    copies = [args for kw, args in keywords[first:second] if kw == "COPY"]
    assert f"{folder}/ {folder}/" in copies, "its own sources"
    assert any(args.startswith("protos/") for args in copies), "protos/ for labs-protos' build hook"
    early = [a for kw, a in keywords[:first] if kw in ("COPY", "ADD")]
    assert all(a.startswith("--from=") for a in early), "sources copied before the dependencies"


def test_a_build_without_its_args_fails_at_once():
    """No default service: a forgotten --build-arg fails in the first step, saying which."""
    builder = parse(DOCKERFILE, {})[0]
    first_run = builder.all("RUN")[0]
    assert 'test -n "$SERVICE"' in first_run and 'test -n "$PORT"' in first_run
    assert "exit 1" in first_run


def test_the_final_image_is_slim_unprivileged_and_runs_its_module(name, stages):
    final = stages[-1]
    assert lineage(stages, final)[-1].base == RUNTIME_IMAGE
    user = effective(stages, final, "USER")
    assert user is not None and user.split(":")[0] not in ("root", "0"), "runs as root"
    assert user.split(":")[0] == "10001"
    entrypoint = json.loads(effective(stages, final, "ENTRYPOINT"))
    assert command(final, entrypoint) == ["python", "-m", f"labs_{name}"]
    assert effective(stages, final, "EXPOSE") == build_args(name)["PORT"]
    assert final.env.get("PYTHONDONTWRITEBYTECODE") == "1"
    # No uv, no compiler: only the virtualenv is copied from the builder. Debian's shared
    # libraries a service loads at run time (billing's Pango) may be installed, without their
    # recommends, and the package lists removed in the same layer.
    for stage in lineage(stages, final):
        assert not [a for a in stage.all("RUN") if re.search(r"pip |uv |gcc|build-essential", a)]
        for run in stage.all("RUN"):
            if "apt-get" in run:
                assert "--no-install-recommends" in run and "rm -rf /var/lib/apt/lists" in run
        for args in stage.all("COPY"):
            assert args in ("--from=builder /app/.venv /app/.venv",
                            "--from=console /web/dist /app/console")


def test_every_image_carries_the_built_console_where_the_gateway_looks(name, stages):
    final = stages[-1]
    assert "--from=console /web/dist /app/console" in final.all("COPY")
    assert final.env["LABS_CONSOLE_DIR"] == "/app/console"
    console = next(s for s in stages if s.name == "console")
    assert any("npm ci" in run for run in console.all("RUN"))  # from the lock, nothing else


def test_tilt_has_a_dev_target_on_the_same_runtime(name, stages):
    dev = next((s for s in stages if s.name == "dev"), None)
    assert dev is not None, "the Tiltfile builds target='dev'"
    assert lineage(stages, dev)[-1].base == RUNTIME_IMAGE
    assert effective(stages, dev, "USER").split(":")[0] == "10001"
    assert command(dev, json.loads(effective(stages, dev, "ENTRYPOINT")))[-1] == f"labs_{name}"


def test_base_images_are_pinned():
    text = DOCKERFILE.read_text()
    stages = parse(DOCKERFILE, build_args("time"))
    names = {s.name for s in stages}
    external = [s.base for s in stages if s.base not in names]
    external += re.findall(r"--from=(\S+/\S+)", text)
    for image in external:
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        assert tag and tag != "latest", f"{image} is not pinned"


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/.venv", "**/__pycache__", "**/tests", "libs/protos/src/labs", ".git",
                    "web/node_modules", "web/dist"):
        assert pattern in ignored
    for needed in ("protos", "libs", "uv.lock", "pyproject.toml"):
        assert needed not in ignored
