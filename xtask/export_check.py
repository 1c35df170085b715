"""Checks an ONNX file written by `descent export` with Python's onnx and onnxruntime.

Usage: export_check.py MODEL.onnx FEATURES.npy PREDICTIONS.csv TOLERANCE

onnx.checker.check_model (full_check: shapes inferred too), then onnxruntime runs the file
on FEATURES.npy (cast to the input's type) and its `output` (and `label`) are compared with
the CSV of `descent predict --proba`. Prints one JSON line: {"max_relative_error": x,
"labels_agree": true} or {"error": "..."} (exit 1), or {"skipped": "..."} when onnx or
onnxruntime is not installed (exit 0).
"""

import csv
import json
import sys


def main():
    path, features, predictions, tolerance = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        print(json.dumps({"skipped": str(e)}))
        return 0
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    elem = session.get_inputs()[0].type
    x = np.load(features).astype(np.float64 if elem == "tensor(double)" else np.float32)
    results = session.run(None, {"input": x})
    output = results[0]
    with open(predictions, newline="") as f:
        rows = list(csv.DictReader(f))
    if meta["output"] == "linear":
        names = ["value"] if output.shape[1] == 1 else [f"value{k + 1}" for k in range(output.shape[1])]
        expected = np.array([[float(r[n]) for n in names] for r in rows])
        labels_agree = None
    else:
        classes = json.loads(meta["class_names"])
        if meta["output"] == "sigmoid":
            expected = np.array([[float(r["p_" + classes[1]])] for r in rows])
        else:
            expected = np.array([[float(r["p_" + c]) for c in classes] for r in rows])
        labels = [classes[k] for k in results[1]]
        labels_agree = labels == [r["class"] for r in rows]
    scale = np.maximum(np.abs(output), np.abs(expected))
    rel = np.where(scale > 0, np.abs(output - expected) / np.where(scale > 0, scale, 1), 0)
    worst = float(rel.max())
    report = {"max_relative_error": worst, "labels_agree": labels_agree, "examples": len(rows)}
    if worst > tolerance or labels_agree is False:
        report["error"] = f"onnxruntime and descent predict disagree (tolerance {tolerance})"
        print(json.dumps(report))
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # noqa: BLE001 - reported as JSON for xtask
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(1)
