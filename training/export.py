"""Export a trained CrossEncoder for CPU inference: ONNX, quantised to int8, with its tokenizer.

    python -m training.export SAVED_MODEL OUT_DIR [--fp32]

The int8 model is checked against the saved one on a few inputs before it is kept.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

CHECK_INPUTS = [("Who built the bridge?", "The bridge was built by the county in 1901. || It cost a great deal."),
                ("When did the strike end?", "Tea was served at four. || The guests left.")]


def export(saved: Path, out: Path, quantise: bool = True) -> float:
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(str(saved), device="cpu")
    net = model.model.float().eval()
    out.mkdir(parents=True, exist_ok=True)
    features = model.tokenizer([q for q, _ in CHECK_INPUTS], [t for _, t in CHECK_INPUTS], padding=True,
                               return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    raw = out / "model-fp32.onnx"
    torch.onnx.export(net, tuple(features[n] for n in names), str(raw), input_names=names, output_names=["logits"],
                      dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}},
                      opset_version=17, dynamo=False)
    target = out / "model.onnx"
    if quantise:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(raw), str(target), weight_type=QuantType.QInt8)
        raw.unlink()
    else:
        raw.rename(target)
    shutil.copyfile(saved / "tokenizer.json", out / "tokenizer.json")
    import onnxruntime

    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = session.run(None, {n: features[n].numpy() for n in names})[0].reshape(-1)
    with torch.inference_mode():
        want = net(**features).logits.reshape(-1).numpy()
    return float(np.max(np.abs(got - want)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.export")
    parser.add_argument("saved", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--fp32", action="store_true", help="keep full precision")
    args = parser.parse_args(argv)
    difference = export(args.saved, args.out, quantise=not args.fp32)
    size = (args.out / "model.onnx").stat().st_size / 1e6
    print(f"exported to {args.out}: {size:.1f} MB; largest logit difference from the saved model {difference:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
