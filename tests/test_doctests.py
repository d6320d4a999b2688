"""The `>>>` examples in the package's docstrings, which the book's API page shows, run as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import lstm_attention

MODULES = [lstm_attention.__name__] + [
    info.name
    for info in pkgutil.walk_packages(
        lstm_attention.__path__, prefix=f"{lstm_attention.__name__}."
    )
]


def examples(name):
    "The docstring examples of the module `name` (DocTestFinder skips imported names)."
    module = importlib.import_module(name)
    return [
        test for test in doctest.DocTestFinder().find(module, name) if test.examples
    ]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in examples(name):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_the_docstrings_have_examples():
    count = sum(len(test.examples) for name in MODULES for test in examples(name))
    assert count >= 10
