"""bench/report_file.py keeps docs/PERFORMANCE.md readable: per benchmark, the
latest run in full and one line per earlier run, the other blocks untouched."""

import shutil
from pathlib import Path

from bench.report_file import HISTORY, markers, write_run

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path, key: str, when: str, figure: str) -> None:
    latest = (
        f"### Latest run: {when} UTC\n\n"
        "| measure | result | goal | met? |\n|---|---|---|---|\n"
        f"| {key} thing | {figure} | < 5 s | yes |\n\n"
        "<details><summary>Query plan</summary>\n\n```\nIndex Scan using x\n```\n\n</details>\n"
    )
    write_run(
        path,
        key,
        title=f"The {key} benchmark",
        about=f"Goals of {key}: under 5 s.",
        latest=latest,
        summary=f"{when} UTC (load 0.50): {key} thing {figure} (goal < 5 s)",
    )


def block(text: str, key: str) -> str:
    begin, end = markers(key)
    return text[text.index(begin) : text.index(end) + len(end)]


def history(text: str, key: str) -> list[str]:
    lines = block(text, key).split(HISTORY, 1)[1].splitlines()
    return [line for line in lines if line.startswith("- ")]


def test_first_run_creates_the_block_after_an_intro(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    run(path, "pdf", "2026-11-30 07:00", "3.10 s")
    text = path.read_text()
    assert text.startswith("# Performance\n")
    pdf = block(text, "pdf")
    assert "## The pdf benchmark\n\nGoals of pdf: under 5 s." in pdf
    assert "### Latest run: 2026-11-30 07:00 UTC" in pdf
    assert "| pdf thing | 3.10 s | < 5 s | yes |" in pdf
    assert "Index Scan using x" in pdf
    assert pdf.endswith(f"{HISTORY}\n\n(none yet)\n{markers('pdf')[1]}")


def test_second_run_moves_the_first_to_history_as_one_line(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    run(path, "soak", "2026-11-30 06:00", "0 lost")
    path.write_text(path.read_text() + "\nA note between blocks, written by hand.\n")
    run(path, "ui", "2026-11-30 06:30", "80 ms")
    run(path, "sla", "2026-11-30 07:00", "1.01 s")
    before = path.read_text()

    run(path, "sla", "2026-11-30 07:20", "1.23 s")
    after = path.read_text()

    sla = block(after, "sla")
    assert "### Latest run: 2026-11-30 07:20 UTC" in sla
    assert "| sla thing | 1.23 s | < 5 s | yes |" in sla
    assert "1.01 s |" not in sla  # the first run's table is gone
    assert sla.count("Index Scan using x") == 1
    assert history(after, "sla") == [
        "- 2026-11-30 07:00 UTC (load 0.50): sla thing 1.01 s (goal < 5 s)"
    ]
    # Everything outside the SLA block is as it was, blocks in their fixed order.
    assert after.replace(sla, "") == before.replace(block(before, "sla"), "")
    assert block(after, "ui") == block(before, "ui")
    assert block(after, "soak") == block(before, "soak")
    assert after.index("sla:begin") < after.index("ui:begin") < after.index("soak:begin")
    assert "A note between blocks, written by hand." in after

    run(path, "sla", "2026-11-30 07:40", "0.99 s")
    assert history(path.read_text(), "sla") == [
        "- 2026-11-30 07:20 UTC (load 0.50): sla thing 1.23 s (goal < 5 s)",
        "- 2026-11-30 07:00 UTC (load 0.50): sla thing 1.01 s (goal < 5 s)",
    ]


def test_the_real_file_keeps_its_layout(tmp_path):
    """Two runs written into a copy of docs/PERFORMANCE.md: one more history line, that's all."""
    path = tmp_path / "PERFORMANCE.md"
    shutil.copy(ROOT / "docs" / "PERFORMANCE.md", path)
    original = path.read_text()
    run(path, "pdf", "2026-11-30 08:00", "3.00 s")
    first = path.read_text()
    run(path, "pdf", "2026-11-30 08:10", "2.90 s")
    second = path.read_text()

    assert len(second.splitlines()) == len(first.splitlines()) + 1
    assert history(second, "pdf")[0].startswith("- 2026-11-30 08:00 UTC (load 0.50): pdf thing")
    assert history(second, "pdf")[1:] == history(first, "pdf")
    assert history(first, "pdf")[1:] == history(original, "pdf")
    for key in ("sla", "ui", "soak"):
        assert block(second, key) == block(original, key)
    assert second.split(markers("sla")[0])[0] == original.split(markers("sla")[0])[0]
