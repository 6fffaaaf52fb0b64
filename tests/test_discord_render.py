"""Rendering to embeds, checked through `embed.to_dict()`: Discord's limits, whole quotes, caveats
beside their source, the disagreement block, declined answers, long answers split into pages.

Real answers come from the session's real index; the long and disagreeing answers are built by
hand, because the limits must hold for answers the reading list does not produce today.
"""

from __future__ import annotations

import re

import pytest

from bot.answer.compose import Answerer
from bot.answer.models import Answer, Citation, Difference, Side, SourceNote
from bot.discord.cards import reading_list_pages, report_pages, source_pages
from bot.discord.library import Library
from bot.discord.render import DISCORD_LIMITS, Limits, Page, clip, render_answer, size
from index.build import BuildReport
from test_discord_helpers import quotes_shown, unescape

QUESTIONS = ["Who killed Trotsky?", "Was Trotsky an ally of Hitler?", "What did Kollontai do in Mexico?",
             "What is the recipe for apple pie?"]


def check_limits(pages: list[Page], limits: Limits = DISCORD_LIMITS) -> None:
    """Every limit Discord enforces on embeds, per embed and per message."""
    for page in pages:
        dicts = [embed.to_dict() for embed in page.embeds]
        assert 1 <= len(dicts) <= limits.embeds
        total = 0
        for data in dicts:
            assert size(data.get("title")) <= limits.title and size(data.get("description")) <= limits.description
            assert len(data.get("fields", [])) <= limits.fields
            for f in data.get("fields", []):
                assert 0 < size(f["name"]) <= limits.field_name and 0 < size(f["value"]) <= limits.field_value
            assert size(data.get("footer", {}).get("text")) <= limits.footer
            total += size(data.get("title")) + size(data.get("description")) + size(data.get("footer", {}).get("text"))
            total += sum(size(f["name"]) + size(f["value"]) for f in data.get("fields", []))
        assert total <= limits.message


def descriptions(pages: list[Page]) -> list[str]:
    return [e.to_dict().get("description", "") for p in pages for e in p.embeds]


def shown_quotes(pages: list[Page]) -> dict[int, str]:
    return quotes_shown(descriptions(pages))


@pytest.mark.parametrize("question", QUESTIONS)
def test_real_answers_fit_and_keep_every_quote_whole(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    pages = render_answer(answer)
    check_limits(pages)
    assert shown_quotes(pages) == {c.n: " ".join(c.quote.split()) for c in answer.citations}
    assert sorted(n for page in pages for n in page.citations) == [c.n for c in answer.citations]


def note(source: str, flags: tuple[str, ...] = ()) -> SourceNote:
    return SourceNote(id=source, title=f"The Book of {source}", author=f"A. {source.title()}", date="1946",
                      file=f"sources/{source}.txt", flags=flags, note="Read it twice.", short_name=f"{source.title()} (1946)",
                      caveat="polemical (written to attack)" if flags else "no caveat recorded")


def sentence_quote(words: int, seed: str) -> str:
    sentences = [f"{seed} sentence {i} says " + " ".join(["something"] * 12) + "." for i in range(words // 15)]
    return " ".join(sentences)


def long_answer() -> Answer:
    """Eight long quotes, one of them longer than a whole embed, from two sources that disagree."""
    citations = [Citation(n=n, source="kahn" if n <= 4 else "walsh", quote=sentence_quote(900 if n == 2 else 300, f"Q{n}"),
                          start=n * 10_000, end=n * 10_000 + 100, section=f"Chapter {n}", passage_id=f"p{n}")
                 for n in range(1, 9)]
    differences = [Difference("Who sent the assassin", (Side(("kahn",), (1, 2), "a disillusioned follower", key=1),
                                                       Side(("walsh",), (5,), "Stalin's secret police", key=5)))]
    return Answer(question="Who sent the assassin? " * 20, answered=True, text="", lead="2 of the 5 sources address this, and they disagree.",
                  citations=citations, sources={"kahn": note("kahn", ("polemical", "partisan")), "walsh": note("walsh")},
                  disagreement=True, differences=differences)


def test_a_long_answer_is_split_between_sentences_into_pages() -> None:
    answer = long_answer()
    pages = render_answer(answer)
    assert len(pages) >= 2
    check_limits(pages)
    assert shown_quotes(pages) == {c.n: c.quote for c in answer.citations}
    longest = [unescape(d) for d in descriptions(pages) if "Q2 sentence" in d]
    assert len(longest) >= 2  # quote [2] alone is longer than an embed
    assert all(re.search(r"[.”…]( \*\*\[\d\]\*\*)?$", d.split("\n\n")[-1]) for d in longest)  # ends between sentences


@pytest.mark.parametrize("message", [6000, 2500, 1200])
def test_smaller_message_budgets_still_hold(message: int) -> None:
    limits = Limits(message=message)
    pages = render_answer(long_answer(), limits)
    check_limits(pages, limits)
    assert sorted(n for page in pages for n in page.citations) == list(range(1, 9))


def test_caveats_sit_beside_each_source_and_differences_are_listed() -> None:
    pages = render_answer(long_answer())
    embeds = [e.to_dict() for p in pages for e in p.embeds]
    assert next(e for e in embeds if e["title"].startswith("Kahn (1946)"))["description"].startswith(
        "⚠️ **polemical, partisan** · *According to")
    kahn = next(e for e in embeds if e["title"].startswith("Kahn (1946)") and e.get("fields"))
    assert any(f["name"] == "Read with care" and "polemical (written to attack)" in f["value"] for f in kahn["fields"])
    assert any(f["name"] == "Citations" and "[1] A. Kahn, “The Book of kahn” (1946), § Chapter 1" in unescape(f["value"])
               for f in kahn["fields"])
    differ = next(e for e in embeds if e["title"] == "Where the sources differ")
    assert "**Who sent the assassin**" in differ["description"]
    assert "• a disillusioned follower [1][2] (Kahn (1946)): “Q1 sentence" in differ["description"]
    assert "[5] (Walsh (1946)): “Q5 sentence" in differ["description"]  # each side's key quote, side by side
    assert embeds[0]["title"].endswith("…") and size(embeds[0]["title"]) <= 256  # a long question is clipped


def test_a_declined_answer_lists_the_nearest_topics() -> None:
    answer = Answer(question="Apple pie?", answered=False, text="", lead="None of the 5 sources addresses this question.",
                    nearest_topics=["Walsh (1980): Exile", "Woods (2003): Trotsky in Mexico"])
    (page,) = render_answer(answer)
    description = page.embeds[0].to_dict()["description"]
    assert "nearest topics" in description and "• Walsh (1980): Exile" in description and not page.citations


def test_document_text_is_shown_as_written() -> None:
    quote = "The *so-called* @everyone_said `x`."
    answer = Answer(question="q", answered=True, text="", lead="Only one.", sources={"kahn": note("kahn")},
                    citations=[Citation(1, "kahn", quote, 0, len(quote), "S", "p1")])
    text = render_answer(answer)[0].embeds[1].to_dict()["description"]
    assert r"\*so-called\*" in text and r"@everyone\_said" in text and unescape(text).count(quote) == 1


def test_clip_cuts_at_a_word_boundary() -> None:
    assert clip("short", 10) == "short"
    clipped = clip("word " * 100, 50)
    assert size(clipped) <= 50 and clipped.endswith("word…")


async def test_reading_list_and_source_cards_fit(answerer: Answerer) -> None:
    sources = await Library(answerer).sources()
    pages = reading_list_pages(sources)
    check_limits(pages)
    titles = [e.title for p in pages for e in p.embeds]
    assert len(titles) == 5 and any("World Revolution" in (t or "") for t in titles)
    fiction = next(e.to_dict() for p in pages for e in p.embeds if "World Revolution" in (e.title or ""))
    assert "**Flags:** fiction" in fiction["description"] and "invented narrative: not a record of what happened" in fiction["description"]
    kahn = next(s for s in sources if s.profile.id == "kahn-sayers-1946")
    detail = source_pages(kahn)
    check_limits(detail)
    fields = {f.name: f.value for f in detail[0].embeds[0].fields}
    assert "passages" in fields["In the index"] and "Chapter" in fields["Sections"]


def test_a_reindex_report_with_many_files_fits() -> None:
    report = BuildReport(generation="g1", added=[f"doc-{i:04}.txt" for i in range(400)], failed=[("bad.pdf", "no text")],
                         documents=400, passages=9000, seconds=61.5, switched=True,
                         drafted=[(f"doc-{i:04}.txt", "narrative fiction", ("fiction",)) for i in range(40)])
    pages = report_pages(report)
    check_limits(pages)
    text = " ".join(str(e.to_dict()) for p in pages for e in p.embeds)
    assert "400 added" in text and "doc-0399.txt" in text and "bad.pdf: no text" in text
    assert "Not in the catalog (drafted)" in text and "reads like narrative fiction (detected; flags: fiction)" in text
