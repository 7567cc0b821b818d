"""Imports point down: mrv imports neither registry nor deadlines, and no module imports itself in a circle.

The graph is read from the source with `ast` (bench/code_shape.py), imports inside functions included,
`if TYPE_CHECKING:` blocks left out. Every product module is imported too, so a broken import fails here.
"""

import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("code_shape", ROOT / "bench" / "code_shape.py")
shape = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shape)


def _graph() -> dict[str, set[str]]:
    import ast

    files = shape.product_files()
    known = {shape.module_name(p) for p in files}
    graph = {}
    for path in files:
        name = shape.module_name(path)
        tree = ast.parse(path.read_text())
        graph[name] = set(shape.imported_modules(tree, name, path.name == "__init__.py", known, False)) - {name}
    return graph


@pytest.mark.parametrize("module", sorted(shape.module_name(p) for p in shape.product_files()))
def test_every_product_module_imports(module):
    importlib.import_module(module)


def test_mrv_never_imports_registry_or_deadlines():
    upward = sorted(
        (name, dep)
        for name, deps in _graph().items()
        if name.split(".")[0] == "mrv"
        for dep in deps
        if dep.split(".")[0] in ("registry", "deadlines")
    )
    assert upward == []


CORE = ("config", "mrv", "registry", "deadlines")


def test_there_is_no_import_circle_among_the_core_apps():
    """mrv, registry and deadlines (the apps of the MRV cycle); `python bench/code_shape.py` lists all apps."""
    core = {name: {d for d in deps if d.split(".")[0] in CORE} for name, deps in _graph().items()}
    assert shape.cycles({name: deps for name, deps in core.items() if name.split(".")[0] in CORE}) == []
