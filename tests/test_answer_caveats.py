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


def test_a_source_is_named_by_its_short_name_or_a_name_the_catalog_gives_it() -> None:
    profiles = {
        "casement": SourceProfile(id="casement", file="r.txt", authors=("Roger Casement",),
                                  title="Correspondence and Report from His Majesty's Consul at Boma",
                                  short="the Casement Report (1904)"),
        "conrad": SourceProfile(id="conrad", file="c.txt", title="Part One", authors=("Joseph Conrad",),
                                short="Conrad, Heart of Darkness", flags=("fiction",)),
        "adams": SourceProfile(id="adams", file="a.txt", title="Novanglus; or, A History of the Dispute",
                               authors=("John Adams",), cite_as=("Novanglus", "the Boston letters")),
    }
    assert named_sources("What does the Casement Report say about rubber?", profiles)[0] == {"casement"}
    assert named_sources("What does Heart of Darkness say about the station?", profiles)[0] == {"conrad"}
    assert named_sources("according to novanglus, who taxed the colonies?", profiles)[0] == {"adams"}
    assert named_sources("What do the Boston letters say of the Stamp Act?", profiles)[0] == {"adams"}
    # "Report" inside a name is no verb of saying, and a name as the topic names no source
    assert named_sources("Is the Casement Report reliable?", profiles)[0] == frozenset()
    assert named_sources("Who reads Heart of Darkness today?", profiles)[0] == frozenset()
    # a one-word short or title part is too general to name a source unless the catalog gives it
    spy = {"cooper": SourceProfile(id="cooper", file="s.txt", title="The Spy", short="Cooper, The Spy")}
    assert named_sources("What does the spy say about the war?", spy)[0] == frozenset()
