"""The package's face: each hand-kept `__init__.py` re-exports exactly the public names of its modules.

`lstm_attention` exports the mechanism (the modules generated from the chapters that build it), and
`lstm_attention.tasks` the helpers of the book's experiments. Every package below `lstm_attention` is
checked the same way, so the test keeps up when a module is added or moved: a package's `__all__` must be
the union of the `__all__` of the modules directly in it, and each name must be the module's own object.
"""

import importlib
import pkgutil

import pytest

import lstm_attention


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
        if not info.ispkg and not info.name.startswith("_")
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
