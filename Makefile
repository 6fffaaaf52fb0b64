# Marginalia: the two commands a new user needs are `make ask Q="..."` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export Q

.PHONY: install ask index test bot bench eval train clean

# Create or reuse .venv with everything installed. torch is pinned and installed first so that
# nothing asks for the newest torch, which would drag in gigabytes of CUDA packages.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

ask: $(STAMP)  ## answer Q from the sources, building the index first if there is none
	@test -n "$$Q" || { echo 'usage: make ask Q="Who killed Trotsky?"' >&2; exit 2; }
	$(BIN)/marginalia index --if-missing
	@$(BIN)/marginalia ask "$$Q"

index: $(STAMP)  ## build or update the index of sources/
	$(BIN)/marginalia index

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest

bot: $(STAMP)  ## run the Discord bot (needs DISCORD_TOKEN in .env)
	$(BIN)/marginalia bot

bench: $(STAMP)  ## benchmarks: speed, memory, scale (prints a table)
	$(BIN)/python -m benchmarks $(ARGS)

# The dev questions and their scorer live beside the project, in ../shared (CI has it; a fresh clone
# does not, and `make test` never needs it).
SHARED ?= ../shared

eval: $(STAMP)  ## score the dev questions with shared/eval/score.py, then hold them to the bar
	@test -f $(SHARED)/eval/dev.jsonl || { echo "make eval: $(SHARED)/eval/dev.jsonl is not here (a fresh clone has no" \
		"../shared); score questions of your own with .venv/bin/marginalia eval GOLD.jsonl (format: README)." >&2; exit 2; }
	$(BIN)/marginalia index --if-missing
	$(PYTHON) $(SHARED)/eval/score.py --seeds $(SHARED)/seeds --gold $(SHARED)/eval/dev.jsonl --project . -- $(BIN)/marginalia ask --json -
	MARGINALIA_SHARED=$(SHARED) $(BIN)/python -m pytest -q tests/eval_dev_questions.py

train: $(STAMP)  ## the judge, conflict and genre models from the training lists, validated leave one topic out
	@test -d $(SHARED)/training/reading-lists || { echo "make train: $(SHARED)/training/reading-lists is not here" \
		"(the training reading lists beside the project; SHARED=... names another folder)." >&2; exit 2; }
	$(BIN)/python -m training.judge_rows --lists $(SHARED)/training/reading-lists
	$(BIN)/python -m training.train_judge --write models/judge.json
	$(BIN)/python -m training.train_conflict --lists $(SHARED)/training/reading-lists --write models/conflict.json
	$(BIN)/python -m training.train_genre --lists $(SHARED)/training/reading-lists --write models/genre.json

clean:  ## remove the index and database (the sources are untouched)
	rm -rf .marginalia
