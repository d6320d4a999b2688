"""The package's face: each hand-kept `__init__.py` re-exports exactly the public names of its modules.

`lstm_attention` exports the mechanism (the modules generated from the chapters that build it), and
`lstm_attention.tasks` the helpers of the book's experiments. Every package below `lstm_attention` is
checked the same way, so the test keeps up when a module is added or moved: a package's `__all__` must be
the union of the `__all__` of the modules directly in it, and each name must be the module's own object.
Two modules stay in their module, out of the top-level namespace: `lstm_attention.validation`, the input
checks the layers share (for people who build layers on these pieces), and `lstm_attention.exercises`, the
checkers of the book's exercises.
"""

import importlib
import importlib.metadata
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import lstm_attention

ROOT = Path(__file__).resolve().parents[1]
KEPT_IN_THEIR_MODULE = {"lstm_attention.validation", "lstm_attention.exercises"}


def packages():
    names = [lstm_attention.__name__]
    for info in pkgutil.walk_packages(
        lstm_attention.__path__, prefix=f"{lstm_attention.__name__}."
    ):
        if info.ispkg:
            names.append(info.name)
    return names


def modules_in(package):
    "The modules directly in `package` (not its subpackages), imported."
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if not info.ispkg
        and not info.name.startswith("_")
        and f"{package.__name__}.{info.name}" not in KEPT_IN_THEIR_MODULE
    ]


def test_there_is_a_tasks_subpackage():
    assert "lstm_attention.tasks" in packages()


@pytest.mark.parametrize("name", packages())
def test_init_exports_exactly_its_modules_public_names(name):
    package = importlib.import_module(name)
    modules = modules_in(package)
    assert modules, f"{name} has no modules"
    exported = list(package.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ lists a name twice"
    owners = {}
    for module in modules:
        for public in module.__all__:
            assert public not in owners, (
                f"{public} is public in both {owners[public]} and {module.__name__}"
            )
            owners[public] = module.__name__
    missing = sorted(set(owners) - set(exported))
    extra = sorted(set(exported) - set(owners))
    assert not missing, f"{name}/__init__.py does not export {missing}"
    assert not extra, (
        f"{name}/__init__.py exports {extra}, which no module of {name} lists in __all__"
    )
    for public, owner in owners.items():
        assert getattr(package, public) is getattr(
            importlib.import_module(owner), public
        ), public


def test_the_top_level_package_does_not_export_the_task_helpers():
    tasks = importlib.import_module("lstm_attention.tasks")
    assert not set(tasks.__all__) & set(lstm_attention.__all__)


def test_the_input_checks_stay_in_lstm_attention_validation():
    validation = importlib.import_module("lstm_attention.validation")
    assert not hasattr(lstm_attention, "batch_size")
    assert not set(validation.__all__) & set(lstm_attention.__all__)
    assert not set(validation.__all__) & set(dir(lstm_attention))
    assert callable(validation.batch_size) and callable(validation.positive_integer)


def test_the_version_has_one_source():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "lstm_attention.__version__"
    assert importlib.metadata.version("lstm-attention") == lstm_attention.__version__


def test_the_changelog_names_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {lstm_attention.__version__}" in changelog


def test_importing_the_tasks_loads_neither_babel_nor_num2words_nor_sacrebleu():
    code = (
        "import sys, lstm_attention.tasks; "
        "print(sorted(m for m in ('babel', 'num2words', 'sacrebleu') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")},
    )
    assert run.stdout.strip().splitlines()[-1] == "[]"


BLOCKED = """
import builtins, sys
real_import = builtins.__import__
def blocked(name, *args, **kwargs):
    if name.split(".")[0] in {"babel", "num2words", "sacrebleu"}:
        raise ImportError(f"No module named {name!r}")
    return real_import(name, *args, **kwargs)
builtins.__import__ = blocked
"""


@pytest.mark.parametrize(
    "call, needs",
    [
        ("tasks.english_words(42)", "num2words"),
        ("tasks.chrf(['a'], ['a'])", "sacreBLEU"),
        (
            "tasks.DATE_FORMATS[0].render(__import__('datetime').date(1998, 5, 3))",
            "babel",
        ),
    ],
)
def test_without_the_tasks_extra_the_tasks_say_what_to_install(call, needs):
    code = (
        BLOCKED
        + f"""
import lstm_attention.tasks as tasks
print(tasks.echo_sequences(2, seed=0).sequences.shape)
try:
    {call}
except ImportError as error:
    print(error)
"""
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")},
    )
    last = run.stdout.strip().splitlines()[-1]
    install = 'pip install "lstm-attention[tasks] @ git+https://github.com/lstm-attention/lstm-attention"'
    assert needs in last and install in last and 'pip install -e ".[tasks]"' in last
