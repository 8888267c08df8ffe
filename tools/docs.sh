#!/usr/bin/env bash
# Build an offline HTML site of the notebooks into _docs/ (git-ignored), without Quarto:
#   bash tools/docs.sh            # every notebook
#   bash tools/docs.sh '09*'      # only the notebooks matching a glob (a quick look at some pages)
# nbdev's processors prepare each notebook as `nbdev-docs` would (show_doc API reference executed, directives, hidden
# cells and exports removed: nbdev.serve.proc_nbs into _proc/), then nbconvert renders each one to HTML with a
# navigation bar linking every page; _docs/index.html is the index notebook (the README) with that bar.
# The site is built in a temporary folder and swapped in, so a failed build leaves the previous _docs/ untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
# nbdev-proc-nbs stages Quarto files in nbs/: remove the ones it creates (Quarto is not used here)
created=(); for f in nbs/_quarto.yml nbs/nbdev.yml nbs/sidebar.yml; do [ -e "$f" ] || created+=("$f"); done
trap 'rm -f "${created[@]}"' EXIT
# nbdev executes every cell holding an import (to render show_doc); test cells flagged with a test flag (slow, realdata,
# gpu: tst_flags in pyproject.toml) are tests, not documentation: their stored outputs are shown, they are not re-run.
DOCS_GLOB="${1:-}*.ipynb" python - >/dev/null <<'PY' || { echo "docs: nbdev-proc-nbs failed" >&2; exit 1; }
import os
import nbdev.processors as P
from nbdev.config import get_config
from nbdev.serve import proc_nbs
flags = set(str(get_config().get("tst_flags", "")).split())
_do_eval = P._do_eval
P._do_eval = lambda cell: False if flags & set(getattr(cell, "directives_", {}) or {}) else _do_eval(cell)
proc_nbs(n_workers=0, file_glob=os.environ["DOCS_GLOB"])
PY
DOCS_GLOB="${1:-}*.ipynb" python - <<'PY'
import json, os, re, shutil, sys, uuid, html
from pathlib import Path
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

root = Path.cwd()
proc = root/"_proc"           # processed notebooks (and every other file of nbs/), as nbdev-docs builds them
import fnmatch
nbs = sorted(p for p in proc.glob("*.ipynb") if fnmatch.fnmatch(p.name, os.environ.get("DOCS_GLOB", "*")))
if not nbs: sys.exit("docs: no processed notebook in _proc/")

def front(nb):
    "Frontmatter (title, output-file) of a processed notebook's first raw cell."
    c = nb.cells[0] if nb.cells else None
    if c is None or c.cell_type != "raw": return {}
    import yaml
    return yaml.safe_load(c.source.strip().strip("-")) or {}

def clean_md(s:str)->str:
    "Quarto-only markup nbconvert would print literally: {attributes} after links, ::: fences."
    s = re.sub(r"\]\(([^)]*)\)\{[^}]*\}", r"](\1)", s)
    return "\n".join(l for l in s.splitlines() if not l.startswith(":::"))

pages = []
for p in nbs:
    nb = nbformat.read(p, as_version=4)
    fm = front(nb)
    name = "index.html" if p.stem == "index" else fm.get("output-file", p.stem + ".html")
    pages.append((p, nb, name, fm.get("title", p.stem)))
pages.sort(key=lambda x: (x[2] != "index.html", x[0].name))
nav = "<nav style='font-family:system-ui,sans-serif;padding:.6em 1em;background:#f3f3f3;border-bottom:1px solid #ddd'>" + \
      " · ".join(f"<a href='{n}'>{html.escape(t)}</a>" for _, _, n, t in pages) + "</nav>"

out = root/f"._docs.tmp-{uuid.uuid4().hex[:8]}"
out.mkdir()
try:
    for f in proc.rglob("*"):   # images and other files the notebooks refer to
        if f.is_file() and f.suffix not in (".ipynb", ".txt", ".yml") and not any(x.startswith(".") for x in f.relative_to(proc).parts):
            (out/f.relative_to(proc)).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, out/f.relative_to(proc))
    ex = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True)
    ex.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"hide-input"}, enabled=True), True)
    for p, nb, name, title in pages:
        for c in nb.cells:
            c.metadata = {}   # nbdev's execution timings are not valid nbformat metadata
            if c.cell_type == "code" and "#| echo: false" in c.source: c.metadata["tags"] = ["hide-input"]   # show_doc cells
            if c.cell_type == "markdown": c.source = clean_md(c.source)
            for o in c.get("outputs", []):
                if "text/markdown" in o.get("data", {}): o["data"]["text/markdown"] = clean_md(o["data"]["text/markdown"])
        nb.cells = [c for c in nb.cells if c.cell_type != "raw"]
        nb.metadata["title"] = title
        body, _ = ex.from_notebook_node(nb)
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav + f"<h1 style='font-family:system-ui,sans-serif;margin:.6em 1em'>{html.escape(title)}</h1>", body, count=1)
        (out/name).write_text(body, encoding="utf-8")
    dst = root/"_docs"
    if dst.exists():
        old = root/f"._docs.old-{uuid.uuid4().hex[:8]}"; os.replace(dst, old); os.replace(out, dst); shutil.rmtree(old)
    else: os.replace(out, dst)
finally:
    if out.exists(): shutil.rmtree(out)
print(f"docs: {len(pages)} pages in _docs/ ({', '.join(n for *_, n, _ in pages)})")
PY
