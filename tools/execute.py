"""Execute notebooks in place so their outputs (tables, plots, printed figures) are stored, as a reader sees them.

    python tools/execute.py nbs/07_search.ipynb [more notebooks...]

Runs each notebook from `nbs/` with every cell (slow and realdata included: `../shared/data` must exist), drops
stderr streams and progress-bar widgets from the stored outputs, then `nbdev-clean`s it. A notebook that fails is
left untouched.
"""
import subprocess, sys, time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor


def strip(nb):
    "Drop what a stored notebook cannot show: stderr streams and progress-bar widgets (outputs and their state)."
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [o for o in c.outputs if o.get("name") != "stderr"
                         and "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
    nb.metadata.pop("widgets", None)


def execute(path:Path, timeout:int=1800):
    "Run one notebook, keep its outputs without stderr, write it back only if every cell ran."
    nb = nbformat.read(path, as_version=4)
    t = time.perf_counter()
    ExecutePreprocessor(timeout=timeout, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(path.parent)}})
    strip(nb)
    nbformat.write(nb, path)
    subprocess.run(["nbdev-clean", "--fname", str(path)], check=True, capture_output=True)
    print(f"{path}: executed in {time.perf_counter() - t:.0f} s, outputs stored")


if __name__ == "__main__":
    for p in sys.argv[1:]: execute(Path(p))
