"""Render the Kustomize targets of deploy/k8s and validate every object against Kubernetes' schemas.

`make lint` runs it: `python deploy/k8s/validate.py <out-dir>`. Each target is rendered with
`kubectl kustomize` (or `kustomize build`) into `<out-dir>/<target>.yaml`, which checkov scans
next, and each object is checked with kubernetes-validate in strict mode (unknown fields are
errors) against the OpenAPI schemas the package bundles, so nothing here touches a network or a
cluster.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate import utils
from kubernetes_validate.utils import SchemaNotFoundError

# kubernetes-validate reads and parses the schema files (a multi-megabyte definitions file among
# them) on every call: about 0.1 s an object. They never change during a run, so read each once.
utils.schema_contents = functools.cache(utils.schema_contents)

K8S = Path(__file__).resolve().parent
# What gets rendered: the overlays operators apply, the base they share, and the component
# combinations no overlay includes yet (so that none of them rots), in the overlay's namespace.
TARGETS = {
    "base": ("base", [], None),
    "dev": ("overlays/dev", [], None),
    "prod": ("overlays/prod", [], None),
    "prod-telemetry": ("overlays/prod", ["components/telemetry"], "labs"),
}
# The oldest Kubernetes release the manifests promise to work on, the one of the kubectl that CI
# installs (native gRPC probes and `matchLabelKeys` in topology spread constraints need 1.27 or
# later), and the newest the installed kubernetes-validate bundles: a field one of them lacks fails.
KUBERNETES_VERSIONS = ("1.32.0", kubernetes_validate.latest_version())
# Custom resources have no schema in Kubernetes itself: their CRDs come with their operators, which
# are not installed here. These are validated against the openAPIV3Schema of the CRD release
# named in each file (schemas/, descriptions removed), as strictly as the rest: a field the CRD
# does not declare is an error. Any other kind without a schema (a typo in apiVersion, say) is
# an error too.
SCHEMAS = K8S / "schemas"
CUSTOM_RESOURCES = {
    ("postgresql.cnpg.io/v1", "Cluster"): SCHEMAS / "postgresql.cnpg.io_v1_cluster.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"):
        SCHEMAS / "postgresql.cnpg.io_v1_scheduledbackup.json",
    ("barmancloud.cnpg.io/v1", "ObjectStore"): SCHEMAS / "barmancloud.cnpg.io_v1_objectstore.json",
}
# base/grpc-service is written with placeholders that its replacements fill in for each service:
# one left over (a field the replacements miss) is a valid but wrong object, so it is an error.
PLACEHOLDER = re.compile(r"\bSERVICE\b")


def strict(schema: object) -> object:
    """A CRD's structural schema with unknown fields refused, as the API server prunes them (and
    kubectl's field validation fails on them): every object that lists its properties, keeps no
    unknown fields and has no additionalProperties of its own gets `additionalProperties: false`."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: strict(value) for key, value in schema.items()}
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        schema["additionalProperties"] = False
    return schema


@functools.cache
def custom_resource_validator(path: Path) -> jsonschema.protocols.Validator:
    schema = strict(json.loads(path.read_text()))
    # metadata is the API server's (ObjectMeta), not the CRD's: its names and labels only.
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


def custom_resource_errors(name: str, document: dict, path: Path) -> list[str]:
    return [f"{name} ({path.name}): {'/'.join(str(p) for p in error.absolute_path)}: "
            f"{error.message}"
            for error in custom_resource_validator(path).iter_errors(document)]


def kustomize() -> list[str]:
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if binary := shutil.which("kustomize"):
        return [binary, "build"]
    sys.exit("deploy/k8s: neither kubectl nor kustomize is installed (Debian: apt install kubectl)")


def render(overlay: str, components: list[str], namespace: str | None) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        directory = K8S / overlay
        if components:
            # kustomize takes no absolute paths to other kustomizations: point at them relatively.
            up = Path(os.path.relpath(K8S, scratch))
            (Path(scratch) / "kustomization.yaml").write_text(textwrap.dedent(f"""\
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: {namespace}
                resources: [{up / overlay}]
                components: [{", ".join(str(up / c) for c in components)}]
            """))
            directory = Path(scratch)
        result = subprocess.run([*kustomize(), str(directory)], capture_output=True, text=True,
                                timeout=120, check=False)
    if result.returncode != 0:
        raise SystemExit(f"deploy/k8s: kustomize failed for {overlay} + {components}:\n"
                         f"{result.stderr}")
    return result.stdout


def errors_in(target: str, manifest: str) -> tuple[list[str], int, int]:
    """(errors, objects validated, custom resources validated) for one rendered target."""
    errors: list[str] = []
    validated = custom = 0
    for document in yaml.safe_load_all(manifest):
        if not document:
            continue
        name = f"{target}: {document.get('kind')}/{document.get('metadata', {}).get('name')}"
        if PLACEHOLDER.search(yaml.safe_dump(document)):
            errors.append(f"{name}: the placeholder SERVICE of base/grpc-service is not replaced")
        if schema := CUSTOM_RESOURCES.get((document.get("apiVersion"), document.get("kind"))):
            errors.extend(custom_resource_errors(name, document, schema))
            custom += 1
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = "/".join(str(p) for p in error.path)
                errors.append(f"{name} (Kubernetes {version}): {path}: {error.message}")
            except SchemaNotFoundError as error:
                errors.append(f"{name}: {error} (a custom resource? see CUSTOM_RESOURCES)")
        validated += 1
    return errors, validated, custom


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    for target, (overlay, components, namespace) in TARGETS.items():
        manifest = render(overlay, components, namespace)
        (out / f"{target}.yaml").write_text(manifest)
        errors, validated, custom = errors_in(target, manifest)
        for error in errors:
            print(error, file=sys.stderr)
        failed |= bool(errors)
        crds = f", {custom} custom resources against their CRDs" if custom else ""
        print(f"deploy/k8s {target}: {validated} objects valid against Kubernetes "
              f"{' and '.join(KUBERNETES_VERSIONS)}{crds}"
              if not errors else f"deploy/k8s {target}: {len(errors)} schema errors")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python deploy/k8s/validate.py OUT_DIR")
    sys.exit(main(sys.argv[1]))
