"""Shared by the scripts of this folder: where a code-only TorchScript module goes and how it is saved."""
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def save(module, package, name):
    """Saves a scripted module as lib/src/main/resources/dev/ganlab/<package>/<name> and says where."""
    out = os.path.join(ROOT, "lib", "src", "main", "resources", "dev", "ganlab", package, name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    module.save(out)
    print(out, os.path.getsize(out), "bytes, torch", torch.__version__)
