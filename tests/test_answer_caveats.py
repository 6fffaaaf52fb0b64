"""Source criticism that holds for any reading list: the voice from the catalog entry, hints from
word lists kept as data, organisations never named by a "surname"."""

from __future__ import annotations

import pytest

from bot.answer.caveats import attribution, caveat_line, text_hints
from bot.answer.followup import named_sources
from index.authors import surname
from index.models import SourceProfile


@pytest.mark.parametrize(("text", "label"), [
    ("As an AI language model, I cannot say. I hope this helps!", "chatbot phrasing"),
    ("These idiots and frauds have misled the town council.", "invective"),
    ("The so-called experts were wrong again.", "sarcasm quotes"),
    ("Unlike in OTL, the canal was finished in 1830.", "alternate-history jargon"),
])
def test_hints_are_found_in_any_text(text: str, label: str) -> None:
    assert any(hint.startswith(label) for hint in text_hints([text]))


@pytest.mark.parametrize("text", [
    "The Congress shall have power to declare the punishment of treason.",
    "In summary, emissions must fall by half before 2030.",
    "The Trotskyites and the Stalinists met in the hall.",  # faction names are no invective
])
def test_everyday_and_legal_words_raise_no_hint(text: str) -> None:
    assert text_hints([text]) == ()


def test_the_voice_is_built_from_the_catalog_entry_for_any_work() -> None:
    novel = SourceProfile(id="farm", file="farm.txt", title="Animal Farm", authors=("George Orwell",), date="1945",
                          genre="satirical novella", flags=("fiction",))
    assert attribution(novel) == "In Orwell (1945), a satirical novella, invented, not a record of what happened:"
    report = SourceProfile(id="ipcc", file="ar6.txt", title="AR6",
                           authors=("Intergovernmental Panel on Climate Change",), date="2023")
    assert attribution(report).startswith("Intergovernmental Panel on Climate Change (2023)")
    unvetted = SourceProfile(id="tea", file="tea.txt", title="tea-history", cataloged=False)
    assert "not in the catalog" in attribution(unvetted) and "not in the catalog" in caveat_line(unvetted)


@pytest.mark.parametrize(("author", "expected"), [
    ("Lynn Walsh", "Walsh"), ("Albert E. Kahn", "Kahn"), ("@RandomPoster33", "RandomPoster33"),
    ("Tea Shop Ltd", ""), ("Intergovernmental Panel on Climate Change", ""), ("an unnamed AI chatbot", ""),
])
def test_organisations_and_descriptions_have_no_surname(author: str, expected: str) -> None:
    assert surname(author) == expected


def test_a_surname_names_a_source_only_as_the_one_who_says() -> None:
    profiles = {"federalist": SourceProfile(id="federalist", file="f.txt", authors=("Alexander Hamilton",)),
                "ipcc": SourceProfile(id="ipcc", file="i.txt", authors=("Intergovernmental Panel on Climate Change",))}
    assert named_sources("Did the Anti-Federalists distrust Hamilton?", profiles)[0] == frozenset()
    assert named_sources("How fast is Climate Change accelerating?", profiles)[0] == frozenset()
    assert named_sources("What does Hamilton say about factions?", profiles)[0] == {"federalist"}
    assert named_sources("According to Hamilton, what is a faction?", profiles)[0] == {"federalist"}
