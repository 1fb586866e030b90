"""The benchmark's arithmetic and report, on made-up inputs (the measurements run in `make bench`)."""
import math

from bench.run import add_speed_ratios, growth_exponent, markdown


def test_growth_exponent_is_the_log_log_slope():
    linear = [{"documents": n, "fit_s": 0.01 * n} for n in (1000, 2000, 4000, 8000)]
    quadratic = [{"documents": n, "fit_s": 1e-6 * n * n} for n in (1000, 2000, 4000, 8000)]
    assert math.isclose(growth_exponent(linear, "fit_s"), 1.0)
    assert math.isclose(growth_exponent(quadratic, "fit_s"), 2.0)


def test_speed_ratios_are_against_fasttext_in_the_same_group():
    rows = [{"system": "fasttext", "jobs": 1, "speed": 100.0}, {"system": "fasttext", "jobs": 2, "speed": 160.0},
            {"model": "default", "jobs": 1, "speed": 50.0}, {"model": "default", "jobs": 2, "speed": 240.0},
            {"system": "vw", "jobs": 2, "speed": 80.0}]
    add_speed_ratios(rows, "speed", "jobs")
    assert [r["speed_vs_fasttext"] for r in rows] == [1.0, 1.0, 0.5, 1.5, 0.5]
    by_workload_and_jobs = [{"system": "fasttext", "workload": "a", "jobs": 1, "s": 10.0},
                            {"system": "fasttext", "workload": "b", "jobs": 1, "s": 40.0},
                            {"system": "wirecat", "workload": "a", "jobs": 1, "s": 20.0},
                            {"system": "wirecat", "workload": "b", "jobs": 1, "s": 20.0}]
    add_speed_ratios(by_workload_and_jobs, "s", ("workload", "jobs"))
    assert [r["speed_vs_fasttext"] for r in by_workload_and_jobs] == [1.0, 1.0, 2.0, 0.5]
    one_group = [{"system": "fasttext", "speed": 40.0}, {"system": "wirecat", "speed": 10.0}]
    add_speed_ratios(one_group, "speed")
    assert [r["speed_vs_fasttext"] for r in one_group] == [1.0, 0.25]


def test_report_renders_every_section_from_a_result():
    task_row = {"task": "topics", "system": "wirecat", "micro_f1": 0.7534, "f1_arrest": 0.5, "fit_s": 48.1,
                "predict_articles_per_s": 348, "speed_vs_fasttext": 0.06, "model_bytes": 3539998, "peak_rss_mb": 995}
    result = {"date": "2026-01-01", "machine": "2 cores", "repeats": 1, "tasks": [task_row],
              "agnews_cv": [{"system": "vw", "accuracy_mean": 0.8837, "accuracy_sd": 0.01, "macro_f1_mean": 0.88}],
              "classify": [{"system": "wirecat", "workload": "allsides", "articles": 20000, "jobs": 2, "seconds": 154.9,
                            "articles_per_s": 1291, "speed_vs_fasttext": 0.09, "peak_rss_mb": 804}],
              "million": [{"system": "wirecat", "workload": "ag_news", "articles": 1000000, "jobs": 2, "seconds": 100.0,
                           "articles_per_s": 10000, "peak_rss_mb": 700}],
              "scaling": {"rows": [{"factor": 1, "documents": 9711, "fit_s": 47.58, "peak_rss_mb": 554}],
                          "fit_time_exponent": 0.95, "memory_exponent": 0.63}}
    text = markdown(result)
    assert "## topics" in text and "## agnews" not in text  # only tasks that were measured
    assert "| wirecat | 0.7534 | - | 0.5000 | - | 48.10 | 348 | 0.06 | 3,539,998 | 995 |" in text
    assert "| vw | 0.8837 | 0.0100 | 0.8800 |" in text
    assert "| wirecat | allsides | 20,000 | 2 | 154.90 | 1,291 | 0.09 | 804 |" in text
    assert "| wirecat | ag_news | 1,000,000 | 2 | 100.00 | 10,000 | 700 |" in text
    assert "Growth exponent: fit time 0.95, memory 0.63" in text
