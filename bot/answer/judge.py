"""The judge: a cross-encoder that reads the question and a candidate quote (with the sentences
around it) together, and gives the probability that the quote states (part of) the answer.

Trained by `training/train_judge.py` from the bundled all-MiniLM-L6-v2 weights on readers'
labels over reading lists that are neither the users' nor the test sets; shipped as an int8
ONNX model under `models/judge/` and run with onnxruntime on the CPU, offline. `JUDGE_MODEL` may
name another local folder of the same layout, or a sentence-transformers CrossEncoder (read with
sentence-transformers, for a user who has one).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import MarginaliaError

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "judge"
CONTEXT_CHARS = 240  # characters of each neighbouring sentence the judge reads beside a candidate
MAX_TOKENS = 192


def judge_text(candidate: str, before: str = "", after: str = "") -> str:
    """What the judge reads of a candidate: the quote first (so truncation drops context, never
    the quote), then its neighbours."""
    quote = " ".join(candidate.split())
    context = " … ".join(" ".join(part.split())[:CONTEXT_CHARS] for part in (before, after) if part.strip())
    return f"{quote} || {context}" if context else quote


@dataclass(frozen=True)
class Calibration:
    """Platt scaling of the model's logit into a probability, and the thresholds chosen on the
    validation topics (never on users' questions)."""

    slope: float = 1.0
    intercept: float = 0.0
    cite: float = 0.5  # a source is cited when its best quote reaches this
    quote: float = 0.3  # a further quote of a cited source must reach this

    def probability(self, logits: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * logits + self.intercept)))

    @classmethod
    def load(cls, folder: Path) -> Calibration:
        path = folder / "calibration.json"
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})


class Judge:
    """Scores (question, candidate) pairs. Safe to share between threads."""

    def __init__(self, model: str = "") -> None:
        self.name = model or str(SHIPPED)
        self._lock = threading.Lock()

    @cached_property
    def folder(self) -> Path:
        return Path(self.name).expanduser()

    @cached_property
    def calibration(self) -> Calibration:
        return Calibration.load(self.folder) if self.folder.is_dir() else Calibration()

    @cached_property
    def _runner(self):
        if (self.folder / "model.onnx").exists():
            return OnnxRunner(self.folder)
        return CrossEncoderRunner(self.name)

    def logits(self, question: str, texts: list[str], batch_size: int = 16) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            return np.concatenate([self._runner.logits(question, texts[i:i + batch_size])
                                   for i in range(0, len(texts), batch_size)])

    def probabilities(self, question: str, texts: list[str]) -> np.ndarray:
        """For each text (from `judge_text`), the probability that it states the answer."""
        return self.calibration.probability(self.logits(question, texts))


class OnnxRunner:
    """The shipped int8 ONNX model and its tokenizer: no torch at question time."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(1, min(2, os.cpu_count() or 1))
            options.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options,
                                                        providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged or missing file: say which folder
            raise MarginaliaError(f"Cannot load the judge model in {folder} ({exc}). Set JUDGE_MODEL to a "
                                  "folder with model.onnx and tokenizer.json, or leave it empty for the shipped one.") from exc
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        self.tokenizer.enable_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch([(question, text) for text in texts])
        feeds = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                 "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
        output = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        return output.reshape(len(texts), -1)[:, 0].astype(np.float32)


class CrossEncoderRunner:
    """Any sentence-transformers CrossEncoder (a local folder, or a name in the local cache)."""

    def __init__(self, name: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        try:
            self.model = CrossEncoder(name, device="cpu", max_length=MAX_TOKENS)
        except (OSError, ValueError) as exc:
            raise MarginaliaError(f"Cannot load the judge model {name!r} (nothing is downloaded: a local folder "
                                  "or a model in the local Hugging Face cache). Leave JUDGE_MODEL empty for the "
                                  "shipped one.") from exc

    def logits(self, question: str, texts: list[str]) -> np.ndarray:
        import torch

        scores = self.model.predict([(question, t) for t in texts], activation_fn=torch.nn.Identity(),
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32).reshape(len(texts), -1)[:, 0]
