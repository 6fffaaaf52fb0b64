"""The `marginalia` command: index, search, sources, ask, eval, bot.

A user's mistake gets one clear line on standard error and a non-zero exit, never a traceback.
Everything printed goes through `out`, which never shows the bot's token (a document may hold it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence

from bot.display import clip, hide, oneline, redact
from index.errors import MarginaliaError

log = logging.getLogger("marginalia")
SEARCH_TEXT_CHARS = 220


def out(text: str, *, file=None, flush: bool = False) -> None:
    """Print, with the bot's token redacted: a quote from a pasted `.env` must not show it."""
    print(redact(text), file=file or sys.stdout, flush=flush)


def not_utf8(argv: Sequence[str]) -> str:
    """The line for an argument that is not valid UTF-8 (Python keeps its bytes as lone
    surrogates), or "" when every argument is text."""
    for number, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            byte = ord(arg[exc.start]) - 0xDC00 if 0xDC80 <= ord(arg[exc.start]) <= 0xDCFF else None
            what = f" (byte 0x{byte:02x})" if byte is not None else ""
            return (f"argument {number} is not valid UTF-8 text{what}. Check the terminal's character encoding, "
                    "or pass the question on standard input with `ask -`.")
    return ""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where to look."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}. See `{self.prog} --help`.\n")


def positive(text: str) -> int:
    """A whole number of at least 1 (for argparse)."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def build_parser() -> Parser:
    parser = Parser(prog="marginalia", description="Answers from your reading list, by quoting and citing it.")
    parser.add_argument("-v", "--verbose", action="store_true", dest="log_details",
                        help="log progress details on standard error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    index = commands.add_parser("index", help="build or update the index of the sources folder")
    index.add_argument("--if-missing", action="store_true", help="only build when there is no index yet")
    search = commands.add_parser("search", help="show the ranked passages for a query, with scores")
    search.add_argument("query")
    search.add_argument("-n", type=positive, default=10, help="how many passages (default 10)")
    commands.add_parser("sources", help="list the reading list's catalog")
    profile = commands.add_parser("profile", help="draft catalog entries for documents (genre and flags detected)")
    profile.add_argument("files", nargs="+", help="documents to profile")
    ask = commands.add_parser("ask", help="answer a question by quoting the sources")
    ask.add_argument("question", help="the question, or - to read one question per line from standard input")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    evaluate = commands.add_parser("eval", help="score the answers to a gold question file (JSON Lines)")
    evaluate.add_argument("gold", help="gold questions, one JSON object a line (format: the README)")
    evaluate.add_argument("--verbose", action="store_true", help="also list questions that only missed a source")
    commands.add_parser("bot", help="run the Discord bot (needs DISCORD_TOKEN)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    quiet_libraries()
    if problem := not_utf8(sys.argv[1:] if argv is None else argv):
        print(f"marginalia: {problem}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    if not args.command:
        build_parser().print_help(sys.stderr)
        return 2
    from index.config import env_file_warnings, load_settings

    try:
        settings = load_settings()
        hide(settings.discord_token.get_secret_value().strip())
        configure_logging(settings.log_level if args.log_details or args.command == "bot" else "WARNING")
        for warning in env_file_warnings():  # once a run: a misspelt key is otherwise silently ignored
            log.warning("%s", warning)
        return COMMANDS[args.command](settings, args)
    except MarginaliaError as exc:
        out(f"marginalia: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("marginalia: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def quiet_libraries() -> None:
    """Offline model loading, and no library chatter on the terminal."""
    for name, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false"),
                        ("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                        ("ANONYMIZED_TELEMETRY", "False")):
        os.environ.setdefault(name, value)
    for name in ("sentence_transformers", "chromadb", "httpx", "transformers"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged PDF is reported once, as a skipped file


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def cmd_index(settings, args) -> int:
    from bot.progress import TerminalProgress
    from index.build import build_index
    from index.generations import Layout

    if args.if_missing and Layout(settings.data_path).current():
        return 0
    with TerminalProgress() as progress:
        report = build_index(settings, progress=progress)
    out(report.summary())
    return 0


def cmd_search(settings, args) -> int:
    from bot.answer.hygiene import tidy
    from index.errors import BadQuestion
    from index.search import Searcher

    query = tidy(args.query)  # as questions are: no escapes or invisible characters
    if not query:
        raise BadQuestion("The query is empty: give some words to search for.")
    searcher = Searcher(settings)
    snap = searcher.snapshot
    for rank, hit in enumerate(searcher.search(query, per_source=args.n)[: args.n], start=1):
        text = oneline(snap.passage_text(hit.passage))
        out(f"{rank:2}. {hit.score:.4f} (dense {hit.dense:.3f}, bm25 {hit.lexical:.2f}) "
            f"{hit.passage.source} § {oneline(hit.passage.section) or '—'} [{hit.passage.start}:{hit.passage.end}]")
        out(f"    {clip(text, SEARCH_TEXT_CHARS)}")
    return 0


def cmd_sources(settings, args) -> int:
    from bot.catalog_table import reading_list_table

    out(reading_list_table(settings))
    return 0


def cmd_profile(settings, args) -> int:
    from pathlib import Path

    from bot.profile_draft import profile_files

    out(profile_files([Path(f) for f in args.files]))
    return 0


def cmd_ask(settings, args) -> int:
    from bot.answer.compose import Answerer

    answerer = Answerer(settings)
    if args.question == "-":
        return ask_many(answerer, sys.stdin.buffer, as_json=args.json)
    answer = answerer.ask(args.question)
    out(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else answer.text)
    return 0


def ask_many(answerer, lines: Iterable[bytes], *, as_json: bool) -> int:
    """One answer per input line, in order, flushed as each is ready (model and index load once)."""
    answerer.warm_up()  # loaded once, and set aside from garbage collection for the many questions
    for number, raw in enumerate(lines, start=1):
        out(answer_line(answerer, raw, number, as_json=as_json), flush=True)
    return 0


def answer_line(answerer, raw: bytes, number: int, *, as_json: bool) -> str:
    """The output for one input line. Lines are decoded one by one: a line that is not UTF-8 gets
    its own error, and the questions after it are still answered."""
    from index.errors import BadQuestion

    try:
        question = line_text(raw, "strict")
    except UnicodeDecodeError as exc:
        return refused_line(line_text(raw, "replace"), f"Line {number} is not valid UTF-8 (byte "
                            f"0x{raw[exc.start]:02x} at position {exc.start}), so it was not read. "
                            "Save the questions as UTF-8.", as_json=as_json)
    try:
        answer = answerer.ask(question)
    except BadQuestion as exc:
        return refused_line(question, str(exc), as_json=as_json)
    return json.dumps(answer.to_json(), ensure_ascii=False) if as_json else answer.text + "\n"


def line_text(raw: bytes, errors: str) -> str:
    """One input line as text, without its line break (\\n or \\r\\n)."""
    return raw.decode("utf-8", errors).removesuffix("\n").removesuffix("\r")


def refused_line(question: str, reason: str, *, as_json: bool) -> str:
    """A line the bot would not read: in JSON, the shape of an answer with the reason in `error`."""
    from bot.answer.models import Answer

    if not as_json:
        return reason + "\n"
    return json.dumps({**Answer.refused(question, reason).to_json(), "error": reason}, ensure_ascii=False)


def cmd_eval(settings, args) -> int:
    from bot.answer.compose import Answerer
    from bot.evaluation import evaluate, load_gold

    gold = load_gold(args.gold)  # a mistake in the file is told before the model loads
    answerer = Answerer(settings)
    answerer.warm_up()
    report = evaluate(answerer, gold)
    out(report.render(verbose=args.verbose))
    return 0


def cmd_bot(settings, args) -> int:
    from bot.discord.app import run

    return run(settings)


COMMANDS = {"profile": cmd_profile, "index": cmd_index, "search": cmd_search, "sources": cmd_sources, "ask": cmd_ask,
            "eval": cmd_eval, "bot": cmd_bot}

if __name__ == "__main__":
    sys.exit(main())
