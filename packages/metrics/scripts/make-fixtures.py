#!/usr/bin/python3
"""Writes fixtures/golden.json: scores, ±1 labels and metrics computed with numpy.

Run with Debian's python3 (numpy; scikit-learn is not needed):
    /usr/bin/python3 scripts/make-fixtures.py

The expected values are computed here from their textbook formulas, independently
of the TypeScript sources. Undefined ratios (0/0) are 0 (scikit-learn's
zero_division=0); balanced accuracy averages recall over the classes present in the
labels (scikit-learn's balanced_accuracy_score).
"""

import json
import os
import tempfile

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "golden.json")


def make_scores(rng, labels, tie_values):
    """Noisy scores, rounded to float32 so that a Float32Array holds them exactly,
    with some cells set exactly to each tie value (0.0, -0.0, the non-zero threshold)."""
    s = labels * 0.5 + rng.normal(0.0, 0.9, size=labels.shape)
    s = s.astype(np.float32).astype(np.float64)
    for v in tie_values:
        mask = rng.random(labels.shape) < 0.08
        s[mask] = v
    return s


def safe_div(num, den):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den != 0)
    return out


def balanced_accuracy(pred, y):
    out = []
    for j in range(y.shape[1]):
        recalls = []
        for c in np.unique(y[:, j]):
            in_class = y[:, j] == c
            recalls.append(np.mean(pred[in_class, j] == c))
        out.append(float(np.mean(recalls)))
    return out


def metrics(scores, labels, names, threshold):
    pred = np.where(scores >= threshold, 1, -1)
    correct = pred == labels
    tp = np.sum((pred == 1) & (labels == 1), axis=0)
    fp = np.sum((pred == 1) & (labels == -1), axis=0)
    tn = np.sum((pred == -1) & (labels == -1), axis=0)
    fn = np.sum((pred == -1) & (labels == 1), axis=0)
    n = labels.shape[0]
    per_attr = correct.mean(axis=0)
    precision = safe_div(tp, tp + fp)
    recall = safe_div(tp, tp + fn)
    # F1 as the harmonic mean of precision and recall, 0 when both are 0.
    f1 = safe_div(2 * precision * recall, precision + recall)
    pos_rate = np.mean(labels == 1, axis=0)
    baseline = np.maximum(pos_rate, 1 - pos_rate)
    bal = balanced_accuracy(pred, labels)
    return {
        "threshold": threshold,
        "accuracy": float(correct.mean()),
        "perAttributeAccuracy": per_attr.tolist(),
        "report": {
            "attributes": [
                {
                    "name": names[j],
                    "index": j,
                    "accuracy": float(per_attr[j]),
                    "precision": float(precision[j]),
                    "recall": float(recall[j]),
                    "f1": float(f1[j]),
                    "balancedAccuracy": bal[j],
                    "positiveRate": float(pos_rate[j]),
                    "predictedPositiveRate": float(np.mean(pred[:, j] == 1)),
                    "count": int(n),
                    "baseline": float(baseline[j]),
                    "truePositives": int(tp[j]),
                    "falsePositives": int(fp[j]),
                    "trueNegatives": int(tn[j]),
                    "falseNegatives": int(fn[j]),
                }
                for j in range(labels.shape[1])
            ],
            "meanAccuracy": float(per_attr.mean()),
            "meanBaseline": float(baseline.mean()),
            "meanF1": float(f1.mean()),
            "meanBalancedAccuracy": float(np.mean(bal)),
            "count": int(n),
            "threshold": threshold,
        },
    }


def majority(labels):
    pos = np.sum(labels == 1, axis=0)
    neg = np.sum(labels == -1, axis=0)
    label = np.where(pos >= neg, 1, -1)  # ties -> +1
    acc = np.maximum(pos, neg) / labels.shape[0]
    return {"accuracy": acc.tolist(), "majorityLabel": label.tolist(), "mean": float(acc.mean())}


def labels_with_positives(rng, n, counts):
    cols = []
    for k in counts:
        col = -np.ones(n, dtype=np.int64)
        col[rng.permutation(n)[:k]] = 1
        cols.append(col)
    return np.stack(cols, axis=1)


def case(name, rng, labels, names, thresholds, tie_values):
    scores = make_scores(rng, labels.astype(np.float64), tie_values)
    return {
        "name": name,
        "shape": list(labels.shape),
        "names": names,
        "scores": scores.tolist(),
        "labels": labels.tolist(),
        "majorityBaseline": majority(labels),
        "thresholds": [metrics(scores, labels, names, t) for t in thresholds],
    }


def main():
    rng = np.random.default_rng(20240611)
    n = 48
    # Positive counts: balanced, imbalanced, Bald-like (1/48), all negative,
    # all positive, an exact 24/24 tie (baseline picks +1), mostly positive, then two
    # columns whose scores are all below every threshold: all negative labels (every
    # ratio is 0/0) and 5 positives (precision is 0/0).
    counts = [24, 7, 1, 0, n, 24, 40, 0, 5]
    names = ["Smiling", "Eyeglasses", "Bald", "Never", "Always", "Tie|Half", "Young",
             "Absent", "Unpredicted"]
    cases = [
        case("imbalanced", rng, labels_with_positives(rng, n, counts), names,
             [0.0, 0.25, -0.5], [0.0, -0.0, 0.25, -0.5]),
        case("single-column", rng, labels_with_positives(rng, 9, [4]), ["Male"],
             [0.0, 0.25], [0.0, 0.25]),
        case("single-sample", rng, np.array([[1, -1, 1, -1, 1]]), list("abcde"),
             [0.0], [0.0]),
    ]
    # Force some exact ties at 0 onto both label values, so counting 0 as -1 would fail.
    imb = cases[0]
    for i in range(6):
        imb["scores"][i][0] = 0.0
    for i in range(n):
        imb["scores"][i][7] = -2.0 - i / 64
        imb["scores"][i][8] = -1.0 - i / 32
    assert any(imb["labels"][i][0] == 1 for i in range(6))
    assert any(imb["labels"][i][0] == -1 for i in range(6))
    labels0 = np.array(imb["labels"])
    imb["thresholds"] = [metrics(np.array(imb["scores"]), labels0, names, t)
                         for t in [0.0, 0.25, -0.5]]

    payload = {
        "generator": "scripts/make-fixtures.py (numpy %s)" % np.__version__,
        "rule": "predict +1 when score >= threshold, else -1; 0/0 ratios are 0",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(OUT), suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    os.replace(tmp, OUT)
    print("wrote %s (%d bytes)" % (OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
