"""The main text of an HTML page (or an EPUB chapter), block by block.

Inline elements (`<strong>`, `<a>`, `<em>`, `<span>` …) never break a sentence; block elements
separate paragraphs; `h1`–`h6` are headings; tables, navigation, forms and page furniture are
left out of the index (a table is kept in the extracted text, marked, so nothing shifts).
"""

from __future__ import annotations

from index.extracted import ExtractedText

NOISE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg",
              "button", "select", "input", "iframe")
BLOCK_TAGS = frozenset("""address article blockquote body dd details div dl dt fieldset figcaption figure hr li
main ol p pre section summary ul center caption""".split())
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}


def parse(markup: str):  # -> BeautifulSoup
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")


def main_root(soup):
    """<main> or <article> if the page has one, else the body."""
    for tag in soup(NOISE_TAGS):
        tag.decompose()
    return soup.find("main") or soup.find("article") or soup.body or soup


def html_blocks(markup: str, out: ExtractedText | None = None) -> ExtractedText:
    """The page's blocks appended to `out` (a new ExtractedText when none is given)."""
    out = out or ExtractedText()
    walk(main_root(parse(markup)), out)
    return out


def walk(element, out: ExtractedText) -> None:
    """Emit the blocks under `element`: runs of inline content become paragraphs."""
    from bs4 import NavigableString, Tag

    run: list[str] = []

    def flush() -> None:
        out.add("".join(run))
        run.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData"):
                continue
            run.append(str(child))
        elif isinstance(child, Tag):
            name = child.name.lower()
            if name in HEADINGS:
                flush()
                out.heading(child.get_text(""), HEADINGS[name])
            elif name == "table":
                flush()
                out.add(child.get_text(" "), left_out="table")
            elif name == "br":
                run.append("\n")
            elif name in BLOCK_TAGS:
                flush()
                walk(child, out)
            else:
                run.append(child.get_text(""))
    flush()
