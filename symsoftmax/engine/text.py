"""Words in several languages: the languages symsoftmax prints, and a text in each of them.

A title or a reason is a :class:`Text`, a mapping from language to words. It is written
once, in every language its author knows, and the language is chosen when it is printed.
A language the text lacks prints visibly as missing, never silently as another language.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping

__all__ = ["Lang", "Text"]


class Lang(str, enum.Enum):
    """The languages a derivation can be printed in."""

    EN = "en"
    ZH = "zh"

    @classmethod
    def parse(cls, lang: object) -> Lang:
        """``Lang`` from a code such as ``"en"``; ValueError naming the known codes.

        Example:
            >>> Lang.parse("zh")
            <Lang.ZH: 'zh'>
        """
        if isinstance(lang, cls):
            return lang
        try:
            return cls(lang)
        except ValueError:
            known = ", ".join(repr(m.value) for m in cls)
            raise ValueError(f"lang must be one of {known}, got {lang!r}") from None


class Text(Mapping[Lang, str]):
    """A sentence in one or more languages: a mapping from :class:`Lang` to a ``str``.

    ``Text("...")`` is English alone; ``Text(en="...", zh="...")``, ``Text("...", "...")``
    (English, then Chinese) or ``Text({"en": ..., "zh": ...})`` give several languages.
    Calling it with a language returns the words in that language; a language it lacks
    prints as a visible marker with the words it has.

    Raises:
        ValueError: an unknown language code, or no text at all.
        TypeError: a text that is not a non-empty ``str``.

    Example:
        >>> t = Text(en="quotient rule", zh="商的求导法则")
        >>> t("zh")
        '商的求导法则'
        >>> Text("quotient rule")("zh")
        '[zh missing] quotient rule'
        >>> sorted(code.value for code in t)
        ['en', 'zh']
    """

    __slots__ = ("_words",)

    def __init__(
        self,
        en: str | Mapping[str, str] | Text | None = None,
        zh: str | None = None,
        **more: str,
    ) -> None:
        if isinstance(en, Mapping):
            if zh is not None or more:
                raise TypeError("give a Text either as a mapping or as words, not both")
            given = dict(en)
        else:
            given = {"en": en, "zh": zh, **more}
        words: dict[Lang, str] = {}
        for code, value in given.items():
            if value is None:
                continue
            lang = Lang.parse(code.value if isinstance(code, Lang) else code)
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"the {lang.value} text must be a non-empty str, got {value!r}")
            words[lang] = value
        if not words:
            raise ValueError("a Text needs the words of at least one language, got none")
        self._words = words

    @classmethod
    def of(cls, value: str | Mapping[str, str] | Text) -> Text:
        """A ``Text`` from what an author may write: a ``str`` (English), a mapping, a Text."""
        if isinstance(value, Text):
            return value
        if isinstance(value, (str, Mapping)):
            return cls(value)
        raise TypeError(
            f"a title or reason must be a str or a mapping such as {{'en': ..., 'zh': ...}}, "
            f"got {type(value).__name__}"
        )

    def __getitem__(self, lang: object) -> str:
        return self._words[Lang.parse(lang)]

    def __iter__(self) -> Iterator[Lang]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __call__(self, lang: Lang | str) -> str:
        """The words in ``lang``; a visible marker and the words it has when it lacks it."""
        lang = Lang.parse(lang)
        if lang in self._words:
            return self._words[lang]
        have = next(iter(self._words.values()))
        return f"[{lang.value} missing] {have}"

    def missing(self, languages: tuple[Lang, ...] = tuple(Lang)) -> list[Lang]:
        """The languages of ``languages`` that this text lacks."""
        return [lang for lang in languages if lang not in self._words]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self._words == other._words

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._words.items())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{lang.value}={words!r}" for lang, words in self._words.items())
        return f"Text({inner})"
