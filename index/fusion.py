"""Reciprocal rank fusion of several rankings."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

RRF_K = 60  # the constant from Cormack et al. (2009); larger flattens the head of each ranking


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hashable]], k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> dict[Hashable, float]:
    """Score of each item: sum over rankings of weight / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[Hashable, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
