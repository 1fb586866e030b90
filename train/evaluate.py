"""Evaluation on gold labels: metrics (scikit-learn), the weak-label baseline on the same articles,
per-source scores, strongest terms, figures (matplotlib), report.md and metrics.json."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from train.fit import binarize, docs_of
from wirecat.decide import decisions
from wirecat.model import label_weights


def _per_label(prfs, labels: list[str]) -> dict:
    """precision_recall_fscore_support(average=None) as {label: {precision, recall, f1, support}}."""
    p, r, f, s = prfs
    return {lab: {"precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]), "support": int(s[k])}
            for k, lab in enumerate(labels)}


def _prf(Y: np.ndarray, P: np.ndarray, labels: list[str]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    mp, mr, mf, _ = precision_recall_fscore_support(Y, P, average="micro", zero_division=0)
    return {
        "per_label": _per_label(precision_recall_fscore_support(Y, P, average=None, zero_division=0,
                                                                labels=range(len(labels))), labels),
        "micro": {"precision": float(mp), "recall": float(mr), "f1": float(mf)},
        "macro_f1": float(f1_score(Y, P, average="macro", zero_division=0)),
        "subset_accuracy": float(accuracy_score(Y, P)),
    }


def top_terms(pipeline, labels: list[str], k: int = 15) -> dict:
    lw = label_weights(pipeline)
    if lw is None:
        return {}
    names, W = lw
    out = {}
    for j, lab in enumerate(labels[: W.shape[0]]):
        order = np.argsort(W[j])
        out[lab] = {"positive": [str(names[i]) for i in order[::-1][:k]], "negative": [str(names[i]) for i in order[:k]]}
    return out


def evaluate_multilabel(pipeline, labels, thresholds, split, title_repeat: int, with_weak: bool = True) -> dict:
    from sklearn.metrics import average_precision_score, brier_score_loss

    Y = binarize(split["labels"], labels)
    scores = pipeline.predict_proba(docs_of(split, title_repeat))
    P = decisions(scores, labels, thresholds)
    result = {"documents": len(Y), "model": _prf(Y, P, labels)}
    result["model"]["pr_auc"] = {lab: float(average_precision_score(Y[:, k], scores[:, k])) if Y[:, k].any() else None
                                 for k, lab in enumerate(labels)}
    result["model"]["pr_auc_micro"] = float(average_precision_score(Y, scores, average="micro")) if Y.any() else None
    result["model"]["brier"] = {lab: float(brier_score_loss(Y[:, k], scores[:, k])) for k, lab in enumerate(labels)}
    if with_weak:
        W = binarize(split["weak_labels"], labels)
        result["weak_labels"] = _prf(Y, W, labels)
        sources = np.array(split["source"])
        result["per_source"] = {
            s: {"documents": int((sources == s).sum()),
                "model": _prf(Y[sources == s], P[sources == s], labels),
                "weak_labels": _prf(Y[sources == s], W[sources == s], labels)}
            for s in sorted(set(sources))}
    result["_arrays"] = (Y, scores, P)
    return result


def at_operating_point(result: dict, labels: list[str], thresholds: dict[str, float]) -> dict:
    """Precision, recall and F1 of an evaluated split at other thresholds (e.g. the recall point)."""
    Y, scores, _ = result["_arrays"]
    return _prf(Y, decisions(scores, labels, thresholds), labels)


def evaluate_singlelabel(pipeline, labels, split, title_repeat: int) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y = [labs[0] for labs in split["labels"]]
    pred = pipeline.predict(docs_of(split, title_repeat))
    return {"documents": len(y), "model": {
        "accuracy": float(accuracy_score(y, pred)), "macro_f1": float(f1_score(y, pred, average="macro")),
        "per_label": _per_label(precision_recall_fscore_support(y, pred, labels=labels, zero_division=0), labels)},
        "_arrays": (np.array(y), None, np.array(pred))}


def evaluate(pipeline, labels, thresholds, split, title_repeat: int, multilabel: bool, with_weak: bool) -> dict:
    """Evaluate on a gold split, multi- or single-label as the model is."""
    if multilabel:
        return evaluate_multilabel(pipeline, labels, thresholds, split, title_repeat, with_weak)
    return evaluate_singlelabel(pipeline, labels, split, title_repeat)


def figures(result: dict, labels: list[str], out_dir: Path, multilabel: bool) -> list[str]:
    """PR curves and a per-label confusion figure as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, multilabel_confusion_matrix

    Y, scores, P = result["_arrays"]
    written = []
    if multilabel and len(labels) <= 12:
        fig, ax = plt.subplots(figsize=(6, 5))
        for k, lab in enumerate(labels):
            if Y[:, k].any():
                PrecisionRecallDisplay.from_predictions(Y[:, k], scores[:, k], name=lab, ax=ax)
        ax.set_title("Precision-recall on gold")
        fig.savefig(out_dir / "pr_curves.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        fig, axes = plt.subplots(1, len(labels), figsize=(4 * len(labels), 3.6))
        for ax, lab, cm in zip(np.atleast_1d(axes), labels, multilabel_confusion_matrix(Y, P)):
            ConfusionMatrixDisplay(cm, display_labels=["no", "yes"]).plot(ax=ax, colorbar=False)
            ax.set_title(lab)
        fig.tight_layout()
        fig.savefig(out_dir / "confusion.png", dpi=100)
        plt.close(fig)
        written = ["pr_curves.png", "confusion.png"]
    elif not multilabel:
        fig, ax = plt.subplots(figsize=(6, 5))
        ConfusionMatrixDisplay.from_predictions(Y, P, labels=labels, ax=ax, colorbar=False)
        fig.savefig(out_dir / "confusion.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        written = ["confusion.png"]
    return written


def _table(rows: list[list], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report_markdown(name: str, split: str, result: dict, terms: dict) -> str:
    out = [f"# Evaluation of {name} on {split} ({result['documents']} documents)", ""]
    m = result["model"]
    if "accuracy" in m:
        out += [f"Accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}", ""]
    else:
        out += [f"Micro-F1 {m['micro']['f1']:.3f}, macro-F1 {m['macro_f1']:.3f}, subset accuracy "
                f"{m['subset_accuracy']:.3f}" + (f", micro PR-AUC {m['pr_auc_micro']:.3f}" if m.get("pr_auc_micro") else ""), ""]
    rows = []
    for lab, s in m["per_label"].items():
        row = [lab, s["precision"], s["recall"], s["f1"], s["support"]]
        if "weak_labels" in result:
            w = result["weak_labels"]["per_label"][lab]
            row += [w["precision"], w["recall"], w["f1"]]
        if "pr_auc" in m:
            row += [m["pr_auc"][lab] if m["pr_auc"][lab] is not None else "-", m["brier"][lab]]
        rows.append(row)
    header = ["label", "precision", "recall", "F1", "support"]
    if "weak_labels" in result:
        header += ["weak P", "weak R", "weak F1"]
        mw = result["weak_labels"]
        rows.append(["micro", m["micro"]["precision"], m["micro"]["recall"], m["micro"]["f1"], "",
                     mw["micro"]["precision"], mw["micro"]["recall"], mw["micro"]["f1"], "", ""])
        rows.append(["macro F1", "", "", m["macro_f1"], "", "", "", mw["macro_f1"], "", ""])
    if "pr_auc" in m:
        header += ["PR-AUC", "Brier"]
    out += [_table(rows, header), ""]
    if "per_source" in result:
        out += ["## Per source (micro-F1; model vs weak labels)", ""]
        labels = list(m["per_label"])
        rows = [[s, r["documents"], r["model"]["micro"]["f1"], r["weak_labels"]["micro"]["f1"]]
                + [r["model"]["per_label"][lab]["f1"] for lab in labels] for s, r in result["per_source"].items()]
        out += [_table(rows, ["source", "docs", "model micro-F1", "weak micro-F1"] + [f"{lab} F1" for lab in labels]), ""]
    if terms and len(terms) <= 12:
        out += ["## Strongest terms per label", ""]
        for lab, t in terms.items():
            out += [f"- **{lab}** +: {', '.join(t['positive'])}", f"  -: {', '.join(t['negative'])}"]
        out.append("")
    return "\n".join(out)


def write_report(out_dir: Path, name: str, split: str, result: dict, labels: list[str], terms: dict,
                 multilabel: bool) -> dict:
    """Write report.md, metrics.json and figures into ``out_dir``; return the JSON-ready metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = figures(result, labels, out_dir, multilabel)
    metrics = {k: v for k, v in result.items() if k != "_arrays"}
    metrics["figures"] = pngs
    (out_dir / "metrics.json").write_text(json.dumps({"split": split, **metrics, "top_terms": terms}, indent=1))
    md = report_markdown(name, split, result, terms)
    md += "\n" + "\n".join(f"![{p}]({p})" for p in pngs) + "\n"
    (out_dir / "report.md").write_text(md)
    return metrics
