"""Each stage of answer composition on small inputs written for the test."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.answer.caveats import attribution, caveat_line, text_hints
from bot.answer.compose import Answerer, allocate
from bot.answer.disagreement import SIGNALS, ConflictModel, detect, holds
from bot.answer.evidence import Evidence, Question, gather, pick, prepare, split_parts
from bot.answer.followup import chain, is_follow_up, resolve
from bot.answer.models import Citation
from bot.answer.judge import DIRECTION, FEATURES, QUESTION_FEATURES, Judge, Weighed
from bot.answer.relevance import verdict
from bot.answer.terms import Vocabulary
from bot.answer.text import excerpt
from conftest import make_settings, write_sources
from index.build import build_index
from index.models import Passage, SourceProfile
from index.search import Searcher
from training.train_judge import signed_logistic

CHRONICLE = SourceProfile(id="chronicle", file="a.txt", title="A Chronicle", authors=("Ann Archer",), date="1990",
                          side="blue")
ANNALS = SourceProfile(id="annals", file="b.txt", title="Annals", authors=("Bo Baker",), date="1950", side="red",
                       flags=("polemical",), genre="polemic")
PROFILES = {p.id: p for p in (CHRONICLE, ANNALS)}


def cite(n: int, source: str, quote: str) -> Citation:
    return Citation(n=n, source=source, quote=quote, start=0, end=len(quote), section="", passage_id=f"{source}:0")


def only(signal: str) -> ConflictModel:
    """A conflict model written for the test: the sources disagree exactly when `signal` is on."""
    assert signal in SIGNALS, signal
    return ConflictModel(np.array([10.0 * (name == signal) for name in SIGNALS]), -5.0, 0.5)


# A conflict model that never finds one: figures or years that differ are a conflict by definition.
NEVER = ConflictModel(np.zeros(len(SIGNALS)), -5.0, 0.5)


def test_sources_giving_different_figures_are_read_as_such() -> None:
    citations = [cite(1, "chronicle", "At least eight million were arrested in the purges."),
                 cite(2, "annals", "Some two million were arrested in the purges.")]
    differences = detect("How many were arrested?", citations, PROFILES, model=NEVER)
    assert differences and "million" in differences[0].point
    assert {s for side in differences[0].sides for s in side.sources} == {"chronicle", "annals"}
    same = [cite(1, "chronicle", "Two million were arrested."), cite(2, "annals", "Some two million were arrested.")]
    assert not detect("How many were arrested?", same, PROFILES, model=NEVER)


def test_sources_giving_different_years_for_a_when_question_are_read_as_such() -> None:
    citations = [cite(1, "chronicle", "The treaty was signed in 1921 at the palace."),
                 cite(2, "annals", "The treaty was signed in 1923 at the palace.")]
    assert detect("When was the treaty signed?", citations, PROFILES, on_point={1, 2}, model=NEVER)
    agreeing = [cite(1, "chronicle", "The treaty was signed in 1921."), cite(2, "annals", "In 1921 it was signed.")]
    assert not detect("When was the treaty signed?", agreeing, PROFILES, on_point={1, 2}, model=NEVER)


def test_fiction_is_a_side_only_where_the_catalog_says_so() -> None:
    novel = SourceProfile(id="novel", file="c.txt", title="What If", flags=("fiction",))
    citations = [cite(1, "chronicle", "The king died in his bed in 1925."),
                 cite(2, "novel", "The king was assassinated in 1925 by his guards.")]
    assert not detect("Did the king die in his bed?", citations, {**PROFILES, "novel": novel}, model=only("opposed"))
    sided = SourceProfile(id="novel", file="c.txt", title="What If", flags=("fiction",), side="red")
    differences = detect("Was the king assassinated?", citations, {**PROFILES, "novel": sided}, model=only("opposed"))
    assert differences and "fiction" not in differences[0].point


def test_a_question_on_who_is_to_blame_is_read_as_such() -> None:
    citations = [cite(1, "chronicle", "The minister was shot by an agent of the secret police."),
                 cite(2, "annals", "The minister was shot by a disgruntled follower of his own.")]
    blame = only("blame")
    differences = detect("Who killed the minister?", citations, PROFILES, model=blame)
    assert differences and differences[0].point.startswith("who is to blame")
    assert detect("Who was to blame for the minister's death?", citations, PROFILES, model=blame)
    for neutral in ("Where was the minister shot?", "Did the minister spy for the enemy?",
                    "What does The Great Conspiracy say about the minister?", "What is The Revolution Betrayed about?",
                    "Who went to the capital in order to meet the minister?",
                    "What responsibilities did the minister have?"):  # no blame asked; titles and everyday words
        assert not detect(neutral, citations, PROFILES, model=blame), neutral
    worded = detect("Who killed the minister?", citations, PROFILES, model=blame)
    assert "minister" not in worded[0].point  # the point names the conflict; it does not restate the question


def test_the_shipped_conflict_model_weighs_the_signals_together() -> None:
    citations = [cite(1, "chronicle", "The minister was shot by an agent of the secret police."),
                 cite(2, "annals", "The minister was shot by a disgruntled follower of his own.")]
    assert detect("Who killed the minister?", citations, PROFILES)  # opposed sides, on who is to blame
    agreeing = [cite(1, "chronicle", "The river floods every spring."),
                cite(2, "annals", "Every spring the river floods the valley.")]
    assert detect("Does the river flood?", agreeing, PROFILES) == []  # opposed sides alone are not enough


def test_a_side_s_key_quote_is_shortened_at_a_word_with_an_ellipsis() -> None:
    assert excerpt("Short and whole.") == "Short and whole."
    long = "The raid was planned for weeks, and the men came in police uniforms, " * 5
    shown = excerpt(long, 60)
    assert shown.endswith(" …") and len(shown) <= 62 and long.startswith(shown[:-2])
    assert excerpt("aaa bbb ccc", 7) == "aaa bbb …"  # the word ending at the limit is whole


def test_a_single_source_cannot_disagree_with_itself() -> None:
    citations = [cite(1, "chronicle", "Eight million were arrested."), cite(2, "chronicle", "Two million died.")]
    for signal in SIGNALS:
        assert detect("Was it really so many?", citations, PROFILES, model=only(signal)) == []


def test_reported_speech_is_not_the_source_own_view() -> None:
    assert not holds(cite(1, "chronicle", "The Stalinist press claimed the raid was self-inflicted."))
    assert holds(cite(1, "chronicle", "The raid was carried out by Siqueiros and his men."))


def test_polemical_text_gets_hints_and_neutral_text_none() -> None:
    assert any("invective" in h for h in text_hints(["Trotsky was a renegade and a traitor to the workers."]))
    assert text_hints(["The conference met in Geneva in the spring and adjourned after two days."]) == ()


def test_caveats_name_the_flag_and_why() -> None:
    line = caveat_line(ANNALS)
    assert "polemical" in line and "invective" in line
    uncatalogued = SourceProfile(id="x", file="x.txt", cataloged=False)
    assert "not in the catalog" in caveat_line(uncatalogued)


def test_fiction_and_chatbot_text_are_never_given_in_the_bot_own_voice() -> None:
    fiction = SourceProfile(id="f", file="f.txt", title="Alt", flags=("fiction",), genre="novel", short="Wells (1896)")
    chatbot = SourceProfile(id="c", file="c.txt", title="Chat", flags=("ai-generated",))
    assert attribution(fiction) == "In Wells (1896), a novel, invented, not a record of what happened:"
    assert "unverifiable" in attribution(chatbot) and "alternate-history" not in attribution(fiction)
    unvetted = SourceProfile(id="u", file="u.txt", title="u", cataloged=False, flags=("fiction",))
    assert "not in the catalog" in attribution(unvetted)
    assert attribution(ANNALS).startswith("According to Baker (1950)")


def test_a_follow_up_is_searched_with_the_previous_question_and_kept_to_the_named_source() -> None:
    profiles = {"walsh-1980": SourceProfile(id="walsh-1980", file="w.txt", authors=("Lynn Walsh",))}
    resolved = resolve("and what does Walsh say about that?", "Who killed Trotsky?", profiles)
    assert resolved.search_text.startswith("Who killed Trotsky?")
    assert resolved.only_sources == {"walsh-1980"}
    standalone = resolve("Who founded the Red Army?", "Who killed Trotsky?", profiles)
    assert standalone.search_text == "Who founded the Red Army?"


NAMED = {
    "kahn": SourceProfile(id="kahn", file="k.txt", title="The Great Conspiracy, Part III: Russia's Fifth Column",
                          authors=("Albert E. Kahn",), flags=("polemical",)),
    "chat": SourceProfile(id="chat", file="c.txt", title="Kollontai in Mexico", flags=("ai-generated",),
                          authors=("@RandomPoster33", "an unnamed AI chatbot")),
    "novel": SourceProfile(id="novel", file="n.txt", title="World Revolution", flags=("fiction",)),
    "woods": SourceProfile(id="woods", file="w.txt", title="The House in Coyoacan", authors=("Alan Woods",)),
    "walsh": SourceProfile(id="walsh", file="l.txt", title="Forty Years Since Leon Trotsky's Assassination",
                           authors=("Lynn Walsh",)),
}


@pytest.mark.parametrize(("question", "named", "searched"), [
    ("What did the chatbot say about Trotsky's death?", {"chat"}, "What did say about Trotsky's death?"),
    ("What does the AI page claim about Kollontai?", {"chat"}, "What does claim about Kollontai?"),
    ("What does the fiction page say about Hitler?", {"novel"}, "What does say about Hitler?"),
    ("Does the alternate-history story mention Czechoslovakia?", {"novel"}, "Does mention Czechoslovakia?"),
    ("What does The Great Conspiracy say about Radek?", {"kahn"}, "What does say about Radek?"),
    ("What does Kahn say about Radek?", {"kahn"}, "What does Kahn say about Radek?"),  # a surname is searched too
    ("What does World Revolution say about Hitler?", {"novel"}, "What does say about Hitler?"),
    # Not names of a source: "ai" inside a word, a title's words apart, fiction or a title's words as the
    # subject (no verb of saying), another book, a figure of speech, part of a word.
    ("What did Kollontai say about Mexico?", set(), "What did Kollontai say about Mexico?"),
    ("Is the story of Jacson's motive fiction?", set(), "Is the story of Jacson's motive fiction?"),
    ("Did Trotsky believe in World Revolution?", set(), "Did Trotsky believe in World Revolution?"),
    ("Was the Great Conspiracy against Stalin real?", set(), "Was the Great Conspiracy against Stalin real?"),
    ("What does the novel Darkness at Noon say?", set(), "What does the novel Darkness at Noon say?"),
    ("Is the fiction of a plot described anywhere?", set(), "Is the fiction of a plot described anywhere?"),
    ("What does this AI-generated post say?", set(), "What does this AI-generated post say?"),
    # The name as the one who says, not as the topic; a surname in lower case only with a verb of saying.
    ("What did Trotsky write about World Revolution?", set(), "What did Trotsky write about World Revolution?"),
    ("What does Walsh say about the chatbot?", {"walsh"}, "What does Walsh say about the chatbot?"),
    ("According to the Great Conspiracy, who was Radek?", {"kahn"}, "According to , who was Radek?"),
    ("Did he use a chatbot?", set(), "Did he use a chatbot?"),  # not the author "an unnamed AI chatbot"
    ("Was he lost in the woods?", set(), "Was he lost in the woods?"),
    ("what does woods say about mercader?", {"woods"}, "what does woods say about mercader?"),
    ("What does Forty Years Since Leon Trotsky’s Assassination say?", {"walsh"}, "What does say?"),
])
def test_a_source_is_named_by_author_title_or_kind_and_the_name_is_not_searched(
        question: str, named: set[str], searched: str) -> None:
    resolved = resolve(question, None, NAMED)
    assert resolved.only_sources == named
    assert resolved.search_text == searched
    assert resolved.read_as == ""  # nothing was read with it: it is no follow-up


def test_a_chain_too_long_to_keep_whole_is_cut_between_words_or_not_used() -> None:
    previous = "Who killed Leon Trotsky in Mexico City? Was he murdered?"
    assert chain(previous, 45) == "Who killed Leon Trotsky in Mexico City?"  # the first question whole
    assert chain(previous, 30) == "Who killed Leon Trotsky in"  # in whole words
    assert chain(previous, 10) == "" and chain(previous, -5) == ""  # too little to be a context
    alone = resolve("and why?", "Who killed Trotsky?", {}, longest=15)
    assert (alone.search_text, alone.read_as) == ("and why?", "")  # read alone, and said so


def test_a_long_chain_of_follow_ups_keeps_its_first_question_and_its_latest() -> None:
    resolved = resolve("and why?", "Who killed Trotsky? and where? and when? and how?", {}, longest=40)
    assert resolved.read_as == "Who killed Trotsky? and how? and why?" and len(resolved.read_as) <= 40
    assert resolved.search_text == resolved.read_as
    named = resolve("and what does the chatbot say?", "Who killed Trotsky?", NAMED)
    assert named.read_as == "Who killed Trotsky? and what does the chatbot say?"  # as the member wrote it
    assert named.search_text == "Who killed Trotsky? and what does say?" and named.only_sources == {"chat"}


def test_spelling_is_repaired_only_towards_words_the_sources_use() -> None:
    vocabulary = Vocabulary(["Krivitsky was found dead; the police said he had murdered nobody. He happened by."])
    assert vocabulary.repair("was he murderd") == "was he murdered"
    twice = Vocabulary(["The assassination of Trotsky. After the assassination, the stare and the store."])
    assert twice.repair("the asassinaton") == "the assassination"  # two slips
    assert twice.repair("the stere") == "the store"  # a tie is broken the same way on every run
    assert vocabulary.repair("what about kids") == "what about kids"  # short words are left alone
    assert Vocabulary(["He was a collaborator."]).repair("did he collaborate") == "did he collaborate"  # a form
    assert vocabulary.unmentioned("What did Krivitsky think of Kronstadt?") == ["Kronstadt"]
    assert vocabulary.unmentioned("What does he argue in 'Literature and Revolution'?") == ["Literature and Revolution"]
    assert vocabulary.unmentioned("Was it Krivitsky? I read it was.") == []


def test_the_other_names_a_source_gives_a_person_are_read_from_the_text() -> None:
    vocabulary = Vocabulary([
        "Raymond Mercader who was living under the pseudonym Jacques Mornard, struck. Mornard fled. "
        "Karl Reich, alias Johanson, met Bessonov. Reich left. Ramon Mercader (“Jacson”) came in. "
        "He was sent to Mexico under the name of Mornard. Mexico was hot. Johanson and Bessonov talked. "
        "No one fits better than Sobel, alias 'Senin.' Senin and Sobel left.",
    ])
    assert vocabulary.aliases["mercader"] == {"mornard", "jacson"}
    assert vocabulary.aliases["johanson"] == {"reich"}
    assert vocabulary.aliases["sobel"] == {"senin"}
    assert "mexico" not in vocabulary.aliases  # a place a person was sent to is not one of his names


def test_a_quote_naming_a_person_by_another_of_his_names_is_not_ranked_down(tmp_path, embedder) -> None:
    sources = write_sources(tmp_path / "sources", {
        "a.txt": "The agent\n\nRamon Mercader, who was living under the pseudonym Jacques Mornard, reached Mexico "
                 "in 1939. Mornard courted a young American and was soon a familiar visitor at the house.\n\n"
                 "Mornard asked Trotsky to read an article, and so was alone with him in the study.",
    })
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    question = prepare(answerer.searcher, answerer.lexicon(answerer.searcher.snapshot),
                       "How did Mercader get near Trotsky?")
    assert question.spellings("mercad") == ("mercad", "mornard")
    items = gather(answerer.searcher, question)[next(iter(answerer.searcher.snapshot.profiles))]
    assert not any(e.unnamed for e in items)


def test_synonyms_meet_every_inflected_form_but_names_have_none(tmp_path, embedder) -> None:
    sources = write_sources(tmp_path / "sources", {
        "a.txt": "Exile\n\nJacson murdered Trotsky in Coyoacan. The Trotskyists mourned him. "
                 "Trotskyist papers said so, and Trotsky's followers agreed.\n\nThe murder shocked the world.",
    })
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    lexicon = answerer.lexicon(answerer.searcher.snapshot)
    assert {"trotsky", "jacson"} <= lexicon.vocabulary.names and "murder" not in lexicon.vocabulary.names
    synonyms = lexicon.synonyms(["killed", "trotsky"])
    assert "murder" in dict(synonyms["kill"])  # "killed" is close to "murdered", if less to "murder"
    assert synonyms["trotski"] == []  # a Trotskyist is not Trotsky


def test_a_quote_naming_none_of_the_question_s_names_ranks_below_one_that_does(tmp_path, embedder) -> None:
    sources = write_sources(tmp_path / "sources", {
        "a.txt": "Deaths\n\nIn May the old chairman Menzhinsky died of pneumonia after a long illness. His doctors "
                 "had opened every window of the house on a cold night. The chairman of the police was buried "
                 "with honours beside the wall, and the newspapers mourned him for a week.\n\n"
                 "The defector Krivitsky was found in a Washington hotel room in 1941, shot through the head. "
                 "He had written a book about the secret police and had testified before a committee. The "
                 "police said that he had taken his own life; his friends said that he was murdered.",
    })
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    question = prepare(answerer.searcher, answerer.lexicon(answerer.searcher.snapshot), "How did Krivitsky die?")
    assert question.names == ("krivitski",)
    items = gather(answerer.searcher, question)[next(iter(answerer.searcher.snapshot.profiles))]
    text = answerer.searcher.snapshot.texts[items[0].source]
    by_name = {name: e for e in items for name in ("Menzhinsky", "Krivitsky") if name in text[e.start:e.end]}
    assert by_name["Menzhinsky"].unnamed and not by_name["Krivitsky"].unnamed
    assert items[0] is by_name["Krivitsky"]


def evidence(source: str, start: int, p: float, passage: str = "p") -> Evidence:
    passage_ = Passage(id=f"{source}:{passage}", source=source, section="", start=0, end=10_000, sentences=())
    return Evidence(source=source, passage=passage_, start=start, end=start + 50, similarity=p, coverage=0.0,
                    lexical=0.0, p=p)


def test_the_verdict_cites_the_best_source_and_those_the_judge_rates_above_the_threshold() -> None:
    question = Question("What year did the abbess die?", vector=None, weights={"year": 1.0, "abbess": 3.0})
    found = {"a": [evidence("a", 0, 0.7)], "b": [evidence("b", 0, 0.3)], "c": [evidence("c", 0, 0.05)]}
    assert not verdict(question, Weighed(found, covered=0.4), cover=0.5, cite=0.2).answered
    cited = verdict(question, Weighed(found, covered=0.6), cover=0.5, cite=0.2)
    assert cited.answered and cited.sources == ["a", "b"]
    named = replace(question, unmentioned=("Hildegard",))
    refused = verdict(named, Weighed(found, covered=0.9), cover=0.5, cite=0.2)
    assert not refused.answered and "Hildegard" in refused.reason


def test_the_shipped_judge_prefers_a_quote_near_the_question_that_holds_its_words() -> None:
    judge = Judge.load()
    question = Question("What year did the abbess die?", vector=None, weights={"year": 1.0, "abbess": 3.0})
    near = replace(evidence("a", 0, 0.0), similarity=0.72, coverage=1.0, literal=1.0, lexical=9.0,
                   type_found=True, quote_text="The abbess died in the year 1179, at Rupertsberg.")
    shares_a_word = replace(evidence("a", 100, 0.0), similarity=0.31, coverage=0.25, literal=0.25, lexical=2.0,
                            quote_text="The year was a hard one for the farmers of the valley.")
    weighed = judge.weigh(question, {"a": [shares_a_word, near]})
    best, worst = weighed.evidence["a"]
    assert best.start == 0 and best.p > worst.p
    assert 0.0 <= worst.p < best.p <= 1.0 and 0.0 <= weighed.covered <= 1.0
    assert judge.weigh(question, {}).covered == 0.0


def test_the_shipped_judge_keeps_each_feature_to_its_direction() -> None:
    judge = Judge.load()
    for network, names in ((judge.quotes, FEATURES), (judge.coverage, QUESTION_FEATURES)):
        weights = network.layers[0][0].reshape(-1)
        for name, weight in zip(names, weights):
            assert weight * DIRECTION.get(name, 0) >= 0, (name, weight)
    question = Question("What year did the abbess die?", vector=None, weights={"year": 1.0, "abbess": 3.0})
    found = {"a": [replace(evidence("a", 0, 0.0), similarity=0.6, coverage=0.8, literal=0.8, lexical=5.0)]}
    # the same candidates, for a question half of whose weight lies in words no passage holds
    assert judge.weigh(replace(question, absent=0.5), found).covered < judge.weigh(question, found).covered


def test_a_signed_logistic_regression_keeps_a_weight_to_its_sign() -> None:
    rng = np.random.default_rng(7)
    z = rng.normal(size=(400, 2))
    y = (z[:, 0] - z[:, 1] + rng.normal(scale=0.5, size=400) > 0).astype(float)
    free, _ = signed_logistic(z, y, 1e-3, [0, 0])
    kept, _ = signed_logistic(z, y, 1e-3, [0, 1])
    assert free[0] > 0 > free[1]  # the data say the second feature counts against
    assert kept[0] > 0 and kept[1] == 0.0  # held to its sign, it counts for nothing


def test_absent_words_and_other_forms_of_a_word(tmp_path, embedder) -> None:
    sources = write_sources(tmp_path / "sources", {"log.txt": "The keeper kept the lamps of the lighthouse in a "
                                                              "cedar chest, and the men ate in the kitchen."},
                            '[[source]]\nid = "log"\nfile = "log.txt"\nauthors = ["Ada Quill"]\n')
    settings = make_settings(tmp_path, sources)
    build_index(settings, embedder=embedder)
    answerer = Answerer(settings, Searcher(settings, embedder))
    lexicon = answerer.lexicon(answerer.searcher.snapshot)
    assert ("kept", 1.0) in lexicon.synonyms(["keep"])["keep"]  # "keep" meets "kept"
    assert ("men", 1.0) in lexicon.synonyms(["man"])["man"]  # "man" meets "men"
    held = prepare(answerer.searcher, lexicon, "Where did the keeper keep the lamps?")
    assert held.absent == 0.0
    breakfast = prepare(answerer.searcher, lexicon, "What did the keeper have for breakfast?")
    assert breakfast.absent > 0.5  # "breakfast" is in no passage, in no form
    author = prepare(answerer.searcher, lexicon, "Where did Quill keep the lamps?")
    assert author.absent == 0.0  # a book seldom names its own author


def test_a_judge_model_that_cannot_be_used_says_what_to_do(tmp_path) -> None:
    (tmp_path / "judge.json").write_text('{"quotes": {"features": ["similarity"]}}', encoding="utf-8")
    for path in (tmp_path / "judge.json", tmp_path / "missing.json"):
        with pytest.raises(ValueError, match="JUDGE_MODEL"):
            Judge.load(path)


def test_a_compound_question_splits_into_the_questions_it_asks() -> None:
    assert split_parts("Were visitors searched for weapons? How did the killer get the ice axe in?") == [
        "Were visitors searched for weapons?", "How did the killer get the ice axe in?"]
    assert split_parts("Who shot Kirov, and what happened to Nikolayev afterwards?") == [
        "Who shot Kirov", "what happened to Nikolayev afterwards?"]
    assert split_parts("Who killed Trotsky, and why?") == ["Who killed Trotsky"]  # "why" alone asks nothing new
    assert split_parts("how did Krivitsky die, was he murdered or did he kill himself") == ["how did Krivitsky die"]
    assert split_parts("When and where did Mercader die?") == []  # one question about one event
    assert split_parts("In 1940, was he in Mexico?") == []


def test_quotes_never_overlap_and_stay_within_eight() -> None:
    items = {s: [evidence(s, 100 * i, 1.0 - i / 10) for i in range(6)] for s in ("a", "b", "c")}
    items["a"].append(evidence("a", 20, 0.99))  # overlaps the best quote of "a"
    chosen = allocate(items, 8, 0.1)
    assert len(chosen) == 8
    assert {e.source for e in chosen} == {"a", "b", "c"}
    picked = pick(items["a"], 6, 0.1)
    assert all(not x.overlaps(y) for i, x in enumerate(picked) for y in picked[i + 1:])


def test_a_further_quote_the_judge_rates_below_the_floor_is_not_quoted() -> None:
    items = [evidence("a", 0, 0.9), evidence("a", 100, 0.5), evidence("a", 200, 0.1)]  # "(Writings, 1932, p.18)"
    assert [e.start for e in pick(items, 3, 0.3)] == [0, 100]
    weak = [evidence("a", 0, 0.2), evidence("a", 100, 0.1)]
    assert [e.start for e in pick(weak, 3, 0.3)] == [0]  # a cited source keeps its best


@pytest.fixture(scope="module")
def contradicting_pair(tmp_path_factory: pytest.TempPathFactory, embedder) -> Answerer:
    """Two short documents on opposed sides that give different years for the same event."""
    root = tmp_path_factory.mktemp("pair")
    sources = write_sources(root / "sources", {
        "blue.txt": "The Founding of Port Arlen\n\nPort Arlen was founded in 1821 by fishermen from the north. "
                    "The harbour was dredged ten years later.\n\nThe lighthouse followed in 1840.",
        "red.txt": "Port Arlen\n\nThe so-called fishermen's legend is false. Port Arlen was founded in 1838 by a "
                   "railway company, and the harbour came with the railway.\n\nIts lighthouse dates from 1840.",
    }, catalog='[[source]]\nid = "blue"\nfile = "blue.txt"\ntitle = "Blue history"\nauthors = ["B. Blue"]\n'
               'date = "1990"\nside = "blue"\n\n[[source]]\nid = "red"\nfile = "red.txt"\ntitle = "Red history"\n'
               'authors = ["R. Red"]\ndate = "1950"\nside = "red"\nflags = ["polemical"]\n')
    settings = make_settings(root, sources)
    build_index(settings, embedder=embedder)
    return Answerer(settings, Searcher(settings, embedder))


def test_end_to_end_a_date_contradiction_is_shown_side_by_side(contradicting_pair: Answerer) -> None:
    answer = contradicting_pair.ask("When was Port Arlen founded?")
    assert answer.answered and answer.disagreement
    assert set(answer.sources) == {"blue", "red"}
    assert "Where the sources differ" in answer.text
    assert "polemical" in answer.sources["red"].flags
    # Each side's key quote, the one that best answers, is set beside the other's.
    keys = {side.sources[0]: answer.citations[side.key - 1].quote for side in answer.differences[0].sides}
    assert "1821" in keys["blue"] and "1838" in keys["red"]
    block = answer.text[answer.text.index("Where the sources differ"):]
    assert "1821" in block and "1838" in block and "versus" in block


def test_end_to_end_a_question_about_something_absent_is_declined(contradicting_pair: Answerer) -> None:
    answer = contradicting_pair.ask("Who was the first mayor of Lisbon?")
    assert not answer.answered and answer.citations == []
    assert "None of the" in answer.text


def test_bad_questions_are_refused_with_a_clear_message(contradicting_pair: Answerer) -> None:
    from index.errors import BadQuestion

    with pytest.raises(BadQuestion, match="empty"):
        contradicting_pair.ask("   ")
    with pytest.raises(BadQuestion, match="limit"):
        contradicting_pair.ask("x" * 5000)
    with pytest.raises(BadQuestion, match="no words to look up"):
        contradicting_pair.ask("🤔🔪❓ ???")


@pytest.mark.parametrize(("question", "leans_back"), [
    ("and why?", True), ("Why?", True), ("Was he murdered?", True), ("What about Kahn?", True),
    ("and what does Walsh say about that?", True), ("Is that true?", True),
    # A pronoun after the question's own subject points to it, not back; before it, back.
    ("Did Trotsky know his killer?", False), ("Who was the agent that killed Trotsky?", False),
    ("What did he think of Stalin?", True), ("Was it Beria?", True), ('"Was he murdered?"', True),
    ("Was he murdered, I'm asking?", True),
    # A question of its own, however it starts: not glued to the one before.
    ("Is Paris the capital of France?", False), ("Was Mein Kampf ever published?", False),
    ("Did Walsh think Mercader acted alone in the assassination of Trotsky at Coyoacan in 1940?", False),
])
def test_a_follow_up_leans_on_the_question_before_it(question: str, leans_back: bool) -> None:
    assert is_follow_up(question) is leans_back
