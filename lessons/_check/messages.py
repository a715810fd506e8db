"""The checkers' sentences in other languages: one table per language.

The English sentences are the checkers' own text, written where they are used. A
language's table maps each English sentence to its translation; a sentence with values in
it is a template, the values written `{}` (in the translation `{0}`, `{1}`, ... may change
their order). `set_language("zh")` makes every verdict go through the zh table; a
sentence missing from it stays English (tests/test_zh_checkers.py fails on any).
"""

from __future__ import annotations

import re
from functools import cache

from .messages_zh import ZH

TABLES: dict[str, dict[str, str]] = {"zh": ZH}
_language = "en"


def set_language(language: str) -> None:
    """The language of the checkers' verdicts: "en" (the default) or a key of TABLES."""
    global _language
    if language != "en" and language not in TABLES:
        raise ValueError(f"no checker messages in {language!r}; known: en, {', '.join(TABLES)}")
    _language = language


def language() -> str:
    return _language


@cache
def _pattern(template: str) -> re.Pattern:
    literal_parts = template.split("{}")
    return re.compile("(.*?)".join(re.escape(part) for part in literal_parts) + r"\Z", re.S)


@cache
def _templates(language: str) -> list[tuple[str, str]]:
    """The table's templates, the most specific first (so "{}." is tried last)."""
    table = TABLES[language]
    with_values = [template for template in table if "{}" in template]
    with_values.sort(key=lambda template: -len(template.replace("{}", "")))
    return [(template, table[template]) for template in with_values]


def say(sentence: str) -> str:
    """The sentence in the current language (unchanged in English or when untranslated)."""
    table = TABLES.get(_language)
    if table is None:
        return sentence
    if sentence in table:
        return table[sentence]
    for template, translation in _templates(_language):
        match = _pattern(template).match(sentence)
        if match:
            return translation.format(*match.groups())
    return sentence
