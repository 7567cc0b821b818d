"""Print figures about the shape of the product code (run: python bench/code_shape.py).

Product code is every .py file under config/, mrv/, registry/ and deadlines/ except migrations.
- largest module: the longest file, in lines;
- median function length: lines per def (decorators excluded), over all functions and methods;
- import circles: strongly connected groups of more than one module in the graph of imports between
  product modules (imports at module level, and all imports including those inside functions);
- upward imports: imports from mrv to registry or deadlines (mrv is the lower app);
- ORM reads in faces: `Model.objects.…` and `x.<name>_set.…` uses (not `.none()`) in views, admin, API and tasks modules.
"""

import ast
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "mrv", "registry", "deadlines", "disclosure", "signin")
ORM_METHODS = {
    "filter",
    "get",
    "exclude",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "values_list",
    "order_by",
}


def product_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                files.append(path)
    return files


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(tree: ast.AST, name: str, is_package: bool, known: set[str], top_only: bool):
    """Yield the product modules a module imports (resolving `from x import y` to x.y if a module)."""
    nodes = [n for stmt in tree.body if not _is_type_checking(stmt) for n in ast.walk(stmt)]
    if top_only:  # module level includes imports nested in if/try at module level
        nodes = [n for stmt in tree.body for n in ast.walk(stmt) if not _inside_def(stmt, n)]
    package = name if is_package else name.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _known_prefix(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    yield f"{base}.{alias.name}"
                else:
                    yield from _known_prefix(base, known)


def _inside_def(stmt, node) -> bool:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or _is_type_checking(stmt):
        return True
    if isinstance(stmt, ast.ClassDef):
        return any(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in set(ast.walk(n)) for n in stmt.body
        )
    return False


def _is_type_checking(stmt) -> bool:
    """`if TYPE_CHECKING:` imports never run."""
    return isinstance(stmt, ast.If) and getattr(stmt.test, "id", getattr(stmt.test, "attr", "")) == "TYPE_CHECKING"


def _known_prefix(dotted: str, known: set[str]):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in known:
            yield candidate
            return


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one member."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def is_face(name: str) -> bool:
    """Pages, admin, API and tasks: the modules that must read through selectors."""
    leaf = name.split(".")
    return (
        "views" in leaf
        or "api" in leaf
        or leaf[-1] in ("views", "admin", "admin_base", "api", "tasks")
        or leaf[-1].endswith(("_views", "_api"))
    )


def orm_reads(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        # `Model.objects`, or a reverse relation's manager used as one (`firm.report_set.filter(…)`), not a
        # function whose name ends in "_set" (`services.account_caps_set(…)`).
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner = node.value.attr
            count += (inner == "objects" or inner.endswith("_set")) and node.attr != "none"  # `.none()` reads nothing
    return count


def main() -> None:
    files = product_files()
    known = {module_name(p) for p in files}
    trees = {module_name(p): (p, ast.parse(p.read_text())) for p in files}
    lines = {name: len(p.read_text().splitlines()) for name, (p, _) in trees.items()}
    lengths = []
    for _, tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths.append(node.end_lineno - node.lineno + 1)
    graphs = {}
    for top_only in (True, False):
        graph = {}
        for name, (path, tree) in trees.items():
            deps = set(imported_modules(tree, name, path.name == "__init__.py", known, top_only))
            graph[name] = deps - {name}
        graphs[top_only] = graph
    upward = sorted(
        (name, dep)
        for name, deps in graphs[False].items()
        if name.startswith("mrv")
        for dep in deps
        if dep.split(".")[0] in ("registry", "deadlines")
    )
    faces = {name: orm_reads(tree) for name, (_, tree) in trees.items() if is_face(name)}
    largest = max(lines, key=lines.get)
    print(f"product modules: {len(files)}, lines: {sum(lines.values())}")
    print(f"largest module: {largest} ({lines[largest]} lines)")
    print(f"functions: {len(lengths)}, median length: {statistics.median(lengths)} lines")
    for top_only, label in ((True, "module-level"), (False, "all (incl. inside functions)")):
        found = cycles(graphs[top_only])
        print(f"import circles, {label}: {len(found)}")
        for group in found:
            print("   ", " <-> ".join(group))
    print(f"upward imports (mrv -> registry/deadlines): {len(upward)}")
    for name, dep in upward:
        print(f"    {name} -> {dep}")
    print(f"ORM reads in faces (.objects / *_set in views, admin, API, tasks): {sum(faces.values())}")
    for name, n in sorted(faces.items(), key=lambda kv: -kv[1]):
        if n:
            print(f"    {name}: {n}")


if __name__ == "__main__":
    main()
