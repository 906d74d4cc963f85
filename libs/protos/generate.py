"""Compile protos/ into Python modules with grpcio-tools (buf's remote plugins are unreachable).

Run by the package build (hatch_build.py) and by `make protos`; the output is never edited.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "src"


def find_proto_root() -> Path:
    # In the repository the contracts live at the top; an sdist or image build copies them here.
    for candidate in (HERE.parent.parent / "protos", HERE / "protos"):
        if (candidate / "buf.yaml").exists():
            return candidate
    raise SystemExit("protos/ not found next to libs/protos")


def generate(proto_root: Path | None = None, out: Path = OUT) -> list[Path]:
    from grpc_tools import protoc  # build-time dependency only

    proto_root = proto_root or find_proto_root()
    protos = sorted(proto_root.rglob("*.proto"))
    shutil.rmtree(out / "labs", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{proto_root}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *(str(p.relative_to(proto_root)) for p in protos),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    # Regular packages, so every tool (mypy, pytest, importlib) resolves them the same way.
    for directory in [p for p in (out / "labs").rglob("*") if p.is_dir()] + [out / "labs"]:
        (directory / "__init__.py").touch()
    return protos


if __name__ == "__main__":
    generated = generate()
    print(f"generated Python for {len(generated)} proto files into {OUT}", file=sys.stderr)
