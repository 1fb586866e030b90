"""The benchmark's arithmetic and report (the measurements themselves run in `make bench`)."""
import json
import math
from pathlib import Path

from bench.run import _slope, markdown


def test_growth_exponent_is_the_log_log_slope():
    sizes = [1000, 2000, 4000, 8000]
    assert math.isclose(_slope([math.log(n) for n in sizes], [math.log(0.01 * n) for n in sizes]), 1.0)
    assert math.isclose(_slope([math.log(n) for n in sizes], [math.log(1e-6 * n * n) for n in sizes]), 2.0)


def test_recorded_results_render_every_system_and_section():
    recorded = sorted((Path(__file__).resolve().parent.parent / "bench" / "results").glob("*.json"))[-1]
    result = json.loads(recorded.read_text())
    text = markdown(result)
    for task in ("agnews", "reuters", "topics"):
        assert f"## {task}" in text
    for system in ("wirecat", "wirecat-fast", "fasttext", "vw"):
        assert f"| {system} |" in text
    for section in ("5-fold cross-validation", "Batch classification", "Scaling", "Growth exponent"):
        assert section in text
    fasttext_rows = [r for r in result["tasks"] if r["system"] == "fasttext"]
    assert fasttext_rows and all(r["speed_vs_fasttext"] == 1.0 for r in fasttext_rows)
