"""`make site`: every lesson (lessons/ and lessons/zh/) as a static HTML site, offline.

    python scripts/build-site.py [OUT]          (default: build/site)

- The pages are the notebooks as stored (nbconvert, no execution): the text, the code, the
  outputs that nbval checks, the graphs as pictures, the cards as text.
- Every BackwardStepper output becomes its `save_html` player (an <iframe>), so a student can
  step it with no kernel. The players need the steppers themselves: the lessons that have
  one are run once more in a kernel, only to call `save_html` on each stepper at the step it
  was shown; nothing else of that run is used.
- Nothing is fetched: no require.js, no mermaid, and MathJax 2.7 from a local copy (the
  jupyter-server-mathjax package).
  `site_urls()` lists every URL a page could load; the build fails if one leaves the site.

Open OUT/index.html (file:// works), or serve OUT from any static server.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
EDITIONS = {"en": (LESSONS, "English"), "zh": (LESSONS / "zh", "中文")}
STEPPER_TEXT = re.compile(r"^BackwardStepper\(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# A page's own template: lab's, without require.js and mermaid, with a local MathJax.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
            displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  "HTML-CSS": {availableFonts: [], webFont: "STIX-Web", imageFont: null},  // the fonts shipped
  showMathMenu: false, messageStyle: "none"
});
</script>
<script src="../mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"></script>
<script>
// A stepper player (an iframe) says how tall it is; it gets that height, so it never scrolls.
addEventListener("message", (event) => {
  const frame = document.getElementById(event.data && event.data.sgPlayer);
  if (frame) frame.style.height = event.data.height + "px";
});
</script>
{%- endblock html_head_js_mathjax -%}
{%- block body_header -%}
{{ super() }}
<p class="sg-site-nav"><a href="../index.html">← all lessons</a></p>
{%- endblock body_header -%}
"""

# Added to each player: it reports its height to the lesson page around it.
PLAYER_RESIZE = """<script>
new ResizeObserver(() => parent.postMessage({sgPlayer: "{name}",
  height: document.documentElement.scrollHeight}, "*")).observe(document.body);
</script>
</body>"""

# Run in the kernel before the lesson: note each stepper shown, and the step it was shown at.
RECORD = """import widgets as _sg_widgets
_sg_shown = []
_sg_display = _sg_widgets.BackwardStepper._repr_mimebundle_
def _sg_record(self, **kwargs):
    _sg_shown.append((self, self.position))
    return _sg_display(self, **kwargs)
_sg_widgets.BackwardStepper._repr_mimebundle_ = _sg_record
"""
# ... and after it: each stepper's player, starting at that step.
SAVE = """for _sg_k, (_sg_s, _sg_at) in enumerate(_sg_shown, 1):
    _sg_s.go(_sg_at)
    _sg_s.save_html({folder!r} + f"/{stem}-{{_sg_k}}.html")
print(len(_sg_shown))
"""


def title_of(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            heading = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if heading:
                return heading.group(1).strip()
    return "untitled"


def stepper_outputs(notebook) -> list[dict]:
    """The stored outputs that show a BackwardStepper, in the order they were displayed."""
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if WIDGET_VIEW in output.get("data", {})
            and STEPPER_TEXT.match(output["data"].get("text/plain", ""))]


def make_players(path: Path, notebook, folder: Path) -> list[str]:
    """Run the lesson once in a kernel and save each stepper's player; their file names."""
    from nbclient import NotebookClient

    run = nbformat.v4.new_notebook(metadata=notebook.metadata)
    run.cells = ([nbformat.v4.new_code_cell(RECORD)]
                 + [nbformat.v4.new_code_cell(c.source) for c in notebook.cells
                    if c.cell_type == "code"]
                 + [nbformat.v4.new_code_cell(SAVE.format(folder=str(folder), stem=path.stem))])
    NotebookClient(run, timeout=600, kernel_name="python3", allow_errors=True,
                   store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(o.get("text", "") for o in run.cells[-1].outputs)
    errors = [o for o in run.cells[-1].outputs if o.output_type == "error"]
    if errors or not printed.strip().isdigit():
        raise RuntimeError(f"{path.name}: saving the players failed: {errors or printed!r}")
    names = [f"{path.stem}-{k}.html" for k in range(1, int(printed) + 1)]
    failed = [f"{o.ename}: {o.evalue}" for c in run.cells for o in c.outputs
              if o.output_type == "error"]
    if len(names) != len(stepper_outputs(notebook)) and failed:
        raise RuntimeError(f"{path.name}: the run to save the players failed: {failed[0]}")
    for name in names:
        page = folder / name
        player_id = f"player-{page.stem}"
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("</body>", PLAYER_RESIZE.replace("{name}", player_id), 1),
                        encoding="utf-8")
    return names


def embed_players(notebook, names: list[str], stem: str) -> None:
    """Each stepper output shows its player (and keeps the saved picture for no script)."""
    outputs = stepper_outputs(notebook)
    if len(outputs) != len(names):
        raise RuntimeError(f"{stem}: {len(outputs)} stored stepper outputs, but the run "
                           f"showed {len(names)} steppers")
    for output, name in zip(outputs, names):
        frame_id = f"player-{Path(name).stem}"
        fallback = output["data"].get("text/html", "")
        output["data"] = {
            "text/html": (f'<iframe id="{frame_id}" class="sg-player" src="steppers/{name}" '
                          'title="Backward, edge by edge (steps without a kernel)" '
                          'style="width:100%;height:36em;border:0" loading="lazy"></iframe>'
                          f"<noscript>{fallback}</noscript>"),
            "text/plain": output["data"]["text/plain"],
        }


def convert(notebook, exporter) -> str:
    page, _ = exporter.from_notebook_node(notebook)
    return page


# What a page could load: src=, <link href=>, url(...), @import, import(...) / from "...".
LOADS = re.compile(r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?|"""
                   r"""@import\s+["']?|\bimport\s*\(\s*["']|\bfrom\s+["'])([^"'\s)>]+)""", re.I)


def site_urls(out: Path) -> dict[str, list[str]]:
    """Every URL each HTML page of the site could load, except data: and blob: ones."""
    found = {}
    for page in sorted(out.rglob("*.html")):
        urls = {m.group(1) for m in LOADS.finditer(page.read_text(encoding="utf-8"))}
        found[str(page.relative_to(out))] = sorted(u for u in urls
                                                   if not u.startswith(("data:", "blob:")))
    return found


def outside(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I))


def index_page(editions: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    parts = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>smallgrad lessons</title><style>",
             ":root{color-scheme:light dark} body{font-family:system-ui,sans-serif;",
             "max-width:46em;margin:2em auto;padding:0 1em;line-height:1.5}",
             "li{margin:.3em 0}</style></head><body>",
             "<h1>smallgrad: PyTorch's autograd, step by step</h1>",
             "<p>The lessons as pages, with their stored outputs. The steppers step in the "
             "page, with no kernel and no network. To run the code, install the package "
             "(see the README) or open the notebooks in Jupyter.</p>"]
    for key, label, lessons in editions:
        parts.append(f'<h2 lang="{key}">{html.escape(label)}</h2><ol>')
        parts += [f'<li><a href="{key}/{href}">{html.escape(title)}</a></li>'
                  for href, title in lessons]
        parts.append("</ol>")
    return "\n".join(parts + ["</body></html>\n"])


def build(out: Path) -> None:
    import jupyter_server_mathjax
    from nbconvert import HTMLExporter

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")]))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    templates = out / ".template"
    templates.mkdir()
    (templates / "site.html.j2").write_text(TEMPLATE, encoding="utf-8")
    exporter = HTMLExporter(template_name="lab", template_file="site.html.j2",
                            extra_template_paths=[str(templates)])
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, out / "mathjax")

    editions = []
    for key, (folder, label) in EDITIONS.items():
        notebooks = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
        if not notebooks:
            continue
        lessons = []
        exporter.language_code = key  # <html lang="en"> or "zh"
        for path in notebooks:
            notebook = nbformat.read(path, as_version=4)
            notebook.metadata.pop("widgets", None)
            if stepper_outputs(notebook):
                players = out / key / "steppers"
                players.mkdir(parents=True, exist_ok=True)
                embed_players(notebook, make_players(path, notebook, players), path.stem)
            page = out / key / f"{path.stem}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(convert(notebook, exporter), encoding="utf-8")
            lessons.append((page.name, title_of(notebook)))
            print(f"{page.relative_to(out)}")
        editions.append((key, label, lessons))
    (out / "index.html").write_text(index_page(editions), encoding="utf-8")
    shutil.rmtree(templates)

    leaving = {page: [u for u in urls if outside(u)] for page, urls in site_urls(out).items()}
    leaving = {page: urls for page, urls in leaving.items() if urls}
    if leaving:
        raise SystemExit("pages that would load from outside the site:\n"
                         + json.dumps(leaving, indent=1))
    pages = sum(len(lessons) for _, _, lessons in editions)
    print(f"{out}/index.html: {pages} lessons, no URL outside the site")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "site").resolve())
