"""The package-level names of kleene.torch resolve to what their modules
define, also after every submodule has been imported (importing a submodule
binds the module object to its name on the package, which must not shadow a
function of the same name)."""

import importlib
import pkgutil
import subprocess
import sys

import kleene.torch
import kleene.torch.transducer


def _import_all_submodules():
    for package in (kleene.torch, kleene.torch.transducer):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")


def test_every_exported_name_is_its_modules_object():
    _import_all_submodules()
    for package in (kleene.torch, kleene.torch.transducer):
        for name, module in package._EXPORTS.items():
            defined = getattr(importlib.import_module(f"{package.__name__}.{module}"), name)
            assert getattr(package, name) is defined, f"{package.__name__}.{name}"
            namespace = {}
            exec(f"from {package.__name__} import {name}", namespace)
            assert namespace[name] is defined
    assert kleene.torch.ops.__name__ == "kleene.torch.ops"
    assert kleene.torch.transducer.__name__ == "kleene.torch.transducer"


def test_the_core_does_not_import_torch():
    code = "import sys, kleene, kleene.grammar, kleene.lm; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
