"Write README.md from nbs/index.ipynb (nbdev-readme needs Quarto): stored outputs kept, stderr noise dropped."
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parent.parent
nb = nbformat.read(root/"nbs"/"index.ipynb", as_version=4)
for c in nb.cells:
    if c.cell_type == "code": c.outputs = [o for o in c.get("outputs", []) if o.get("name") != "stderr"]
nb.metadata["language_info"] = {"name": "python"}
md, _ = MarkdownExporter().from_notebook_node(nb)
(root/"README.md").write_text(md.strip() + "\n")
print(f"README.md written from nbs/index.ipynb ({len(md.splitlines())} lines)")
