"""Writing a derivation: Text in several languages, labelled lines, the registry.

A derivation is found by name, its steps by label; its words are a mapping from language
to text, and the language is chosen when it is printed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.engine import Lang
from symsoftmax.output.languages import RESOURCES

# -- Text ------------------------------------------------------------------------------------


def test_text_is_a_mapping_from_language_to_words() -> None:
    t = ss.Text(en="quotient rule", zh="商的求导法则")
    assert dict(t) == {Lang.EN: "quotient rule", Lang.ZH: "商的求导法则"}
    assert t["zh"] == t(Lang.ZH) == "商的求导法则"
    assert ss.Text({"en": "quotient rule", "zh": "商的求导法则"}) == t  # from a mapping
    assert ss.Text("quotient rule", "商的求导法则") == t  # English, then Chinese


def test_a_missing_language_prints_visibly_as_missing() -> None:
    t = ss.Text("quotient rule")
    assert t("en") == "quotient rule"
    assert t("zh") == "[zh missing] quotient rule"  # never silently the English alone
    assert t.missing() == [Lang.ZH]
    with pytest.raises(KeyError):
        t["zh"]


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: ss.Text(), ValueError, "at least one language"),
        (lambda: ss.Text(en=""), TypeError, "non-empty str"),
        (lambda: ss.Text(en="a", fr="b"), ValueError, "lang must be one of 'en', 'zh'"),
        (lambda: ss.Text(en=3), TypeError, "got 3"),
        (lambda: ss.Text.of(3), TypeError, "a title or reason must be a str"),
    ],
)
def test_bad_text_is_refused(make, error, words) -> None:
    with pytest.raises(error, match=words):
        make()


def test_every_language_has_its_printing_resources() -> None:
    # Adding a Lang member without a row in RESOURCES would print with another language's words.
    assert set(RESOURCES) == set(Lang)
    keys = {lang: set(row.words) for lang, row in RESOURCES.items()}
    assert all(k == keys[Lang.EN] for k in keys.values())
    assert all(len(row.verify_headings) == 8 for row in RESOURCES.values())


@pytest.mark.parametrize("fmt", ["to_latex", "to_markdown", "to_text"])
def test_the_language_is_chosen_at_print_time(fmt: str) -> None:
    en, zh = ss.derive("jacobian"), ss.derive("jacobian", lang="zh")
    assert getattr(en, fmt)(lang="zh") == getattr(zh, fmt)()
    assert getattr(zh, fmt)(lang="en") == getattr(en, fmt)()
    assert "商的求导法则" in getattr(en, fmt)(lang="zh")


# -- lines and labels --------------------------------------------------------------------------

S = ss.ClassSpace.of(None)
TOTAL = sp.Eq(S.sum(S.sigma(S.k)), 1)


@pytest.fixture
def registered() -> Iterator[list[str]]:
    """Names registered by a test, unregistered after it."""
    names: list[str] = []
    yield names
    for name in names:
        if name in ss.derivations():
            ss.unregister(name)


def test_steps_are_found_by_label() -> None:
    d = ss.derive("jacobian")
    step = d.step("entry")
    assert step.label == "entry" and step.expr == d.result
    assert d.steps[step.number - 1] is step  # the number is the printed position
    with pytest.raises(ValueError, match=r"no step labelled 'nope'; labels: \['definition'"):
        d.step("nope")


@pytest.mark.parametrize(
    ("label", "words"),
    [("Entry", "lower-case name"), ("two words", "lower-case name"), ("", "lower-case name")],
)
def test_a_bad_label_is_refused(label: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ss.Line(TOTAL, "the outputs sum to 1", label=label)


def test_a_line_must_state_a_sympy_relation() -> None:
    with pytest.raises(TypeError, match="SymPy relation"):
        ss.Line("sigma sums to 1", "the outputs sum to 1")


def test_labels_are_unique_and_the_result_names_one(registered) -> None:
    twice = [ss.Line(TOTAL, "one", label="total"), ss.Line(TOTAL, "two", label="total")]
    ss.register("twice", lambda S: twice, title="Twice")
    registered.append("twice")
    with pytest.raises(ValueError, match=r"labels used twice: \['total'\]"):
        ss.derive("twice")
    once = [ss.Line(TOTAL, "one", label="total")]
    ss.register("no_such_result", lambda S: once, title="Result", result="other")
    registered.append("no_such_result")
    with pytest.raises(ValueError, match="the result names the label 'other'"):
        ss.derive("no_such_result")


def test_a_name_already_taken_is_refused() -> None:
    with pytest.raises(ValueError, match="'jacobian' is already registered"):
        ss.register("jacobian", lambda S: [], title="Again")


def test_a_registered_derivation_is_like_a_built_in_one(registered) -> None:
    @ss.derivation("user_total", title={"en": "A total", "zh": "总和"}, result="total")
    def build(S: ss.ClassSpace) -> list[ss.Line]:
        total = sp.Eq(S.sum(S.sigma(S.k)), 1)
        return [ss.Line(total, {"en": "normalization", "zh": "归一化"}, label="total")]

    registered.append("user_total")
    assert "user_total" in ss.derivations()
    d = ss.derive("user_total", lang="zh")
    assert d.title == "总和" and d.result == TOTAL and d.verify()
    assert ss.derive("user_total", K=3).verify()
    assert "归一化" in d.to_markdown()


def test_completeness_is_checked_when_built(registered) -> None:
    # The library requires every language; a step without Chinese is named when built.
    lines = [ss.Line(TOTAL, {"en": "normalization"}, label="total")]
    ss.register("half", lambda S: lines, title={"en": "Half", "zh": "一半"}, languages=("en", "zh"))
    registered.append("half")
    with pytest.raises(ValueError, match="derivation 'half', step 1: the reason has no zh text"):
        ss.derive("half")


def test_a_builder_must_return_lines(registered) -> None:
    ss.register("not_lines", lambda S: [TOTAL], title="Not lines")
    registered.append("not_lines")
    with pytest.raises(TypeError, match="must return a list of Line objects"):
        ss.derive("not_lines")


# -- an extra explanatory step changes nothing that uses the labels ---------------------------


def test_an_inserted_step_changes_neither_results_nor_what_uses_them(monkeypatch) -> None:
    """Insert a true, explanatory line at the top of every derivation: each result, the
    derived Jacobian of ``ss.jacobian``, every step found by label and the generated numeric
    code stay the same."""
    from symsoftmax.derivations.results import _derived_entry
    from symsoftmax.engine import registry
    from symsoftmax.numeric import codegen

    caches = (registry._build, _derived_entry, codegen.formulas, codegen.kernel_source)
    caches += (codegen.module_source,)
    before = {name: ss.derive(name) for name in ss.derivations()}
    generated = codegen.module_source()
    extra = ss.Line(TOTAL, {"en": "a remark", "zh": "注"}, label="remark")
    for name, entry in list(registry._TABLE.items()):
        wrapped = dataclasses.replace(entry, build=lambda S, f=entry.build: [extra, *f(S)])
        monkeypatch.setitem(registry._TABLE, name, wrapped)
    for cache in caches:
        cache.cache_clear()
    try:
        for name, old in before.items():
            new = ss.derive(name)
            assert new.steps[0].label == "remark" and len(new.steps) == len(old.steps) + 1
            assert new.result == old.result, name
            assert all(new.step(label).expr == old.step(label).expr for label in old.labels)
        assert _derived_entry().expr == ss.derive("jacobian").result.rhs.xreplace(
            {
                S.sigma(S.i): sp.Symbol("sigma_i"),
                S.sigma(S.j): sp.Symbol("sigma_j"),
                sp.KroneckerDelta(S.i, S.j): sp.Symbol("delta_ij"),
            }
        )
        assert codegen.module_source() == generated
        assert ss.derive("log_softmax").step("stable").number == 5  # it did move
    finally:
        for cache in caches:
            cache.cache_clear()


# -- installed packages register through an entry point ---------------------------------------


class _Point:
    """A stand-in for an importlib.metadata.EntryPoint of an installed package."""

    def __init__(self, load) -> None:
        self.name, self.value, self.dist, self.load = "mine", "my_package.derivations", None, load


def test_entry_points_register_on_first_use(monkeypatch, registered) -> None:
    from symsoftmax.engine import registry

    def load() -> None:  # what importing the package's module does
        ss.register("from_a_package", lambda S: [ss.Line(TOTAL, "sum", label="t")], title="P")

    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.setattr(
        registry.importlib.metadata,
        "entry_points",
        lambda group: [_Point(load)] if group == "symsoftmax.derivations" else [],
    )
    registered.append("from_a_package")
    assert "from_a_package" in ss.derivations()
    assert ss.derive("from_a_package").verify()


def test_a_broken_entry_point_is_named(monkeypatch) -> None:
    from symsoftmax.engine import registry

    def load() -> None:
        raise ImportError("no module named my_package")

    monkeypatch.setattr(registry, "_plugins_loaded", False)
    monkeypatch.setattr(registry.importlib.metadata, "entry_points", lambda group: [_Point(load)])
    with pytest.raises(ss.SymsoftmaxError, match=r"entry point mine = 'my_package.derivations'"):
        ss.derivations()
