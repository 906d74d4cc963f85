"""Shared fixtures for the deployment tests: the repository's layout and rendered Kustomize output.

Everything here is static: kustomize renders locally, nothing talks to a cluster or the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

try:
    import yaml
except ImportError:  # only the manifest tests need it; the Dockerfile tests still run
    yaml = None

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("base", "overlays/dev", "overlays/prod")
# Component combinations the overlays do not already include, rendered so that none of them rots:
# (overlay, components, the overlay's namespace, which the components' own objects get too, as
# they would were the components listed in the overlay itself).
COMBINATIONS = {
    "prod+telemetry": ("overlays/prod", ["components/telemetry"], "labs"),
}


def kustomize_command() -> list[str] | None:
    if kubectl := shutil.which("kubectl") or (
        "/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None
    ):
        return [kubectl, "kustomize"]
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    return None


def _render(directory: Path) -> list[dict]:
    if yaml is None:
        pytest.skip("PyYAML is not installed: add `pyyaml` to the root dev dependency group")
    command = kustomize_command()
    if command is None:
        pytest.skip("neither kubectl nor kustomize is installed: cannot render deploy/k8s")
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"kustomize failed for {directory}:\n{result.stderr}"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.load_all(result.stdout, Loader=loader) if doc]


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[dict]]:
    """render("overlays/prod") -> its objects; renders each target once per session."""
    cache: dict[str, list[dict]] = {}

    def get(target: str) -> list[dict]:
        if target not in cache:
            if target in COMBINATIONS:
                overlay, components, namespace = COMBINATIONS[target]
                directory = tmp_path_factory.mktemp(target.replace("+", "-"))
                # kustomize takes no absolute roots: point at the repository relatively.
                up = Path(os.path.relpath(K8S, directory))
                (directory / "kustomization.yaml").write_text(textwrap.dedent(f"""\
                    apiVersion: kustomize.config.k8s.io/v1beta1
                    kind: Kustomization
                    namespace: {namespace}
                    resources: [{up / overlay}]
                    components: [{", ".join(str(up / c) for c in components)}]
                """))
                cache[target] = _render(directory)
            else:
                cache[target] = _render(K8S / target)
        return cache[target]

    return get
