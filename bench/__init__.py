"""Benchmarks of the whole Labs suite, each against a baseline measured in the same run.

`make bench` (or `uv run python -m bench`) prints ratios, never pass/fail: the machine is shared
and noisy, so an absolute number means little and a ratio to a baseline taken minutes apart on the
same machine means more. See bench/README.md.
"""
