"""Material beside the project that CI has and a fresh clone does not: `../shared`, with Discord's
OpenAPI spec, the dev questions and the seed documents.

Nothing in `make test` needs it. Where it is present the wire tests also validate every REST body
against the spec; where it is not they run the same scenarios without that check, and the test
summary says so. The dev questions belong to `make eval`. MARGINALIA_SHARED names another folder
(a missing one runs the suite as a fresh clone would).
"""

from __future__ import annotations

import os
from pathlib import Path

from index.config import PROJECT_ROOT

SHARED = Path(os.environ.get("MARGINALIA_SHARED") or PROJECT_ROOT.parent / "shared")
SPEC = SHARED / "discord-api-spec" / "openapi.json"
DEV_QUESTIONS = SHARED / "eval" / "dev.jsonl"
SEEDS = SHARED / "seeds"
