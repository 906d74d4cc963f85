"""The two outputs of a run: a rich table in the terminal, and JSON under bench/results/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.harness import BenchResult, Row

STATUS_STYLE = {"ok": "green", "skipped": "yellow", "failed": "bold red"}
# Numbered as in bench/README.md, and shown in that order whatever order they ran in.
LABELS = {"throughput": "1 read throughput", "write_latency": "2 write latency",
          "event_latency": "3 event latency", "memory": "4 idle memory",
          "cold_start": "5 cold start", "invoice_generation": "6 invoice generation",
          "margins": "7 margins", "forecast_accuracy": "8 forecast accuracy",
          "ws_fanout": "9 ws fan-out"}


def ordered(results: list[BenchResult]) -> list[BenchResult]:
    rank = list(LABELS)
    return sorted(results, key=lambda r: rank.index(r.name) if r.name in rank else len(rank))


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return "—"
    # Colour only says which side of 1 the ratio is on, in the direction that is good.
    good = ratio >= 1 if row.better == "higher" else ratio <= 1
    return f"[{'green' if good else 'yellow'}]{ratio:.2f}x[/]"


def table(results: list[BenchResult]) -> Table:
    grid = Table(title="Labs vs baselines measured in the same run (ratio = Labs / baseline)",
                 title_justify="left", show_lines=False, header_style="bold")
    grid.add_column("benchmark")
    grid.add_column("metric")
    grid.add_column("Labs", justify="right")
    grid.add_column("baseline", justify="right")
    grid.add_column("unit")
    grid.add_column("ratio", justify="right")
    grid.add_column("good is")
    for result in ordered(results):
        name = LABELS.get(result.name, result.name)
        if result.status != "ok" or not result.rows:
            grid.add_row(name, f"[{STATUS_STYLE[result.status]}]{result.status}[/]",
                         "", "", "", "", "", end_section=True)
            continue
        for i, row in enumerate(result.rows):
            grid.add_row(name if i == 0 else "", row.metric, _number(row.labs),
                         _number(row.baseline), row.unit, _ratio(row), row.better,
                         end_section=i == len(result.rows) - 1)
    return grid


def print_report(console: Console, results: list[BenchResult], paths: list[Path]) -> None:
    console.print()
    console.print(table(results))
    for result in ordered(results):
        style = STATUS_STYLE[result.status]
        console.print(f"[bold]{LABELS.get(result.name, result.name)}: {result.title}[/] "
                      f"[{style}]({result.status}, {result.seconds:.0f} s)[/]")
        if result.baseline:
            console.print(f"  • baseline: {result.baseline}", highlight=False)
        for note in result.notes:
            console.print(f"  • {note}", highlight=False)
    console.print("results: " + ", ".join(str(p) for p in paths))


def write_json(document: dict[str, Any], results_dir: Path, stamp: str) -> list[Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{stamp}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    latest = results_dir / "latest.json"
    shutil.copyfile(path, latest)
    return [path, latest]
