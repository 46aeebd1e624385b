"""The dependency rule of docs/architecture.md, checked on the source.

    sgdma_driver  <-  sgdma_sim  <-  sgdma_verif  <-  test modules

A package imports only packages to its left (and the standard library and third-party
packages); no package imports a test module; no test module imports another test module;
no module imports another module's underscore names.  The checks parse every import
statement, including the ones inside functions, so a lazy import cannot hide an upward
dependency.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = {"sgdma_driver": 0, "sgdma_sim": 1, "sgdma_verif": 2}
PACKAGE_DIRS = {"sgdma_driver": REPO / "driver-model" / "sgdma_driver",
                "sgdma_sim": REPO / "sim" / "sgdma_sim",
                "sgdma_verif": REPO / "tb" / "sgdma_verif"}
TEST_DIRS = (REPO / "tests", REPO / "tb")


@dataclass(frozen=True)
class Import:
    path: Path          # the importing file
    line: int
    module: str         # absolute dotted name of what is imported
    names: tuple[str, ...]

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def module_name(path: Path) -> tuple[str | None, str]:
    """(package, dotted module name) of a file; package None for test modules."""
    for pkg, root in PACKAGE_DIRS.items():
        if path.is_relative_to(root):
            rel = path.relative_to(root).with_suffix("")
            parts = [pkg] + [p for p in rel.parts if p != "__init__"]
            return pkg, ".".join(parts)
    return None, path.stem


def imports_of(path: Path, source: str | None = None) -> list[Import]:
    """Every import in the file, relative ones resolved against the file's package."""
    _, name = module_name(path)
    is_init = path.name == "__init__.py"
    here = name.split(".") if is_init else name.split(".")[:-1]
    tree = ast.parse(source if source is not None else path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, a.name, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(here):
                    raise ValueError(f"{path}:{node.lineno}: relative import beyond the top of its package")
                base = here[:len(here) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.append(Import(path, node.lineno, mod, tuple(a.name for a in node.names)))
    return found


def source_files() -> list[Path]:
    files = [p for root in PACKAGE_DIRS.values() for p in sorted(root.rglob("*.py"))]
    files += [p for d in TEST_DIRS for p in sorted(d.glob("test_*.py"))]
    return files + [REPO / "conftest.py"]


def names_of_test_modules() -> set[str]:
    return {p.stem for d in TEST_DIRS for p in d.glob("test_*.py")} | {"conftest"}


def violations(path: Path, source: str | None = None) -> list[str]:
    """What in this file breaks the rule (empty when nothing does)."""
    pkg, _ = module_name(path)
    tests = names_of_test_modules()
    out = []
    for imp in imports_of(path, source):
        top = imp.module.split(".")[0]
        if pkg is not None and top in LAYERS and LAYERS[top] > LAYERS[pkg]:
            out.append(f"{imp.where()}: {pkg} imports {imp.module}, a package above it")
        if top in tests:
            who = pkg or "test module"
            out.append(f"{imp.where()}: {who} {path.stem} imports the test module {imp.module}")
        private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if private:
            out.append(f"{imp.where()}: imports the private name(s) {', '.join(private)} of {imp.module}")
    return out


def test_the_three_packages_are_folders_of_their_own_names():
    for pkg, root in PACKAGE_DIRS.items():
        assert (root / "__init__.py").is_file(), f"{root} is not the package {pkg}"
        assert root.name == pkg


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_follow_the_dependency_direction(path):
    bad = violations(path)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("pkg,line,message", [
    ("sgdma_driver", "from sgdma_sim.model import ModelBackend", "a package above it"),
    ("sgdma_driver", "    from sgdma_verif import toolchain", "a package above it"),   # lazy, in a function
    ("sgdma_sim", "from sgdma_verif.calibration import CASES", "a package above it"),
    ("sgdma_verif", "from test_sgdma_dma import GUARD", "imports the test module test_sgdma_dma"),
    ("sgdma_sim", "from .sweep import _private_helper", "private name(s) _private_helper"),
])
def test_the_check_catches_an_upward_import(pkg, line, message):
    """The rule is not vacuous: each kind of violation, planted in a module, is reported."""
    path = PACKAGE_DIRS[pkg] / "planted.py"
    source = f"def f():\n{line}\n" if line.startswith(" ") else line + "\n"
    bad = violations(path, source)
    assert len(bad) == 1 and message in bad[0], bad


def test_a_relative_import_is_resolved_to_its_package():
    path = PACKAGE_DIRS["sgdma_verif"] / "planted.py"
    imp, = imports_of(path, "from .calibration import CASES\n")
    assert imp.module == "sgdma_verif.calibration"
    init = PACKAGE_DIRS["sgdma_sim"] / "__init__.py"
    imp, = imports_of(init, "from . import model\n")
    assert imp.module == "sgdma_sim"


def test_a_test_module_may_not_import_another():
    path = REPO / "tb" / "test_planted.py"
    bad = violations(path, "from test_sgdma_dma import place_buffers\n")
    assert len(bad) == 1 and "imports the test module test_sgdma_dma" in bad[0], bad


# ------------------------------------------------------------------------------ private names
PRIVATE_REASON = "# private:"   # on a line that must use a third-party object's private name, says why


def private_reaches(path: Path, source: str | None = None) -> list[str]:
    """Attribute accesses ``x._name`` where x is not self, cls or super(): reaching into
    another object's underscore names (dunders are not private)."""
    text = source if source is not None else path.read_text()
    lines = text.splitlines()
    out = []
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")):
            continue
        if PRIVATE_REASON in lines[node.lineno - 1]:
            continue          # a third-party object with no public way, said on the line
        v = node.value
        if isinstance(v, ast.Name) and v.id in ("self", "cls"):
            continue
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "super":
            continue
        out.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)} reaches into a private name")
    return out


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_reaches_into_another_objects_private_names(path):
    bad = private_reaches(path)
    assert not bad, "\n".join(bad)


def test_the_private_name_check_catches_a_reach():
    path = PACKAGE_DIRS["sgdma_sim"] / "planted.py"
    bad = private_reaches(path, "def f(drv):\n    return drv._running\n")
    assert len(bad) == 1 and "drv._running" in bad[0], bad
    assert not private_reaches(path, "class A:\n    def f(self):\n        return self._x + super()._y\n")
    assert not private_reaches(path, f"def f(p):\n    return p._actions  {PRIVATE_REASON} argparse has no public list\n")


# ------------------------------------------------------------------------------ readable files
MAX_FUNCTION_LINES = 60
LONG_REASON = "# long:"        # a function may be longer when this comment, in it, says why


def long_functions(path: Path, source: str | None = None) -> list[str]:
    text = source if source is not None else path.read_text()
    lines = text.splitlines()
    out = []
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            n = node.end_lineno - node.lineno + 1
            body = lines[node.lineno - 1:node.end_lineno]
            if n > MAX_FUNCTION_LINES and not any(LONG_REASON in x for x in body):
                out.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.name} is {n} lines "
                           f"(over {MAX_FUNCTION_LINES}, and no '{LONG_REASON} why' comment)")
    return out


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_functions_are_short_enough_to_read_at_once(path):
    bad = long_functions(path)
    assert not bad, "\n".join(bad)


def test_the_length_check_catches_a_long_function():
    path = PACKAGE_DIRS["sgdma_sim"] / "planted.py"
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    assert len(long_functions(path, "def f():\n" + body)) == 1
    assert not long_functions(path, f"def f():\n    {LONG_REASON} a table, one row per case\n" + body)


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_says_what_it_is_for(path):
    doc = ast.get_docstring(ast.parse(path.read_text()))
    assert doc and len(doc.split()) >= 4, f"{path.relative_to(REPO)} has no header docstring saying what it is for"
