"""Hatch build hook: the wheel (and the editable install) is built from freshly generated code."""

from __future__ import annotations

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class GenerateProtos(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        sys.path.insert(0, str(Path(self.root)))
        from generate import generate

        generate()
