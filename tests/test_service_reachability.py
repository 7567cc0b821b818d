"""No dead ends: every public service (a function of a `services` module) is called by the product itself
(a page, an admin action, the API, a task or another service), not only by tests or the demo."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mrv", "registry", "deadlines", "signin", "disclosure", "config")


def _product_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if "migrations" in parts or path.name.startswith("demo") or path.name == "seed_demo.py":
                continue
            files.append(path)
    return files


def _service_files() -> list[Path]:
    return [p for p in _product_files() if p.name == "services.py" or p.parent.name == "services"]


def _registered(node: ast.FunctionDef) -> bool:
    """A function a decorator registers (a background job's handler, a task) is reached through that registry."""
    return any(isinstance(d, ast.Call) for d in node.decorator_list)


def _public_services() -> dict[str, Path]:
    """Every public function of a services module: a write or a read, it must have a caller in the product."""
    found = {}
    for path in _service_files():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and not _registered(node):
                found[node.name] = path
    return found


def _used_names() -> set[str]:
    """Every name the product code refers to, outside the definition of a function of that name."""
    used = set()
    for path in _product_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                used.add(node.value)  # a service named in a table (e.g. an action map)
    return used


# A service whose page is still being built may wait here, named; the second test fails as soon as one of
# them gets a caller, so the set never hides a service that has one.
PAGES_UNDER_WAY: set[str] = set()


def test_every_public_service_is_called_by_the_product():
    used = _used_names()
    unused = sorted(
        f"{path.relative_to(ROOT)}:{name}"
        for name, path in _public_services().items()
        if name not in used and name not in PAGES_UNDER_WAY
    )
    assert not unused, "services only tests or the demo call (give them a way in, or delete them): " + ", ".join(unused)


def test_the_pages_under_way_are_still_missing():
    """Remove a name from PAGES_UNDER_WAY as soon as its page calls it."""
    assert not PAGES_UNDER_WAY & _used_names()


def test_the_scan_finds_the_services():
    services = _public_services()
    assert {"report_submit", "coverage_list_approve", "spot_check_assign_body", "spot_check_replay"} <= set(services)
    assert "read_pending_upload" not in services  # a background job's handler, registered by its decorator
