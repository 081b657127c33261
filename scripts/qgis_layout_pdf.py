#!/usr/bin/python3
"""Export a phusong project's print layout to PDF with PyQGIS (QgsLayoutExporter), headless.

    scripts/qgis_layout_pdf.py PROJECT.qgs OUT.pdf [--layout NAME]

Prints one JSON object: the project's title, every layer with whether it is visible when the project
opens (its own check box and its groups'), the legend entries QGIS shows for each layer, the
layouts in the project and the export's result. Exit status 0 only when the project reads, a layout
exists and the PDF was written.

Needs Debian's QGIS (apt-get install -y --no-install-recommends qgis python3-qgis); run it with
/usr/bin/python3, as the first line asks.
"""
import argparse
import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", os.path.join(tempfile.gettempdir(), "runtime-qgis-layout"))
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)

try:
    from qgis.core import (QgsApplication, QgsLayerTreeModel, QgsLayoutExporter, QgsProject)
except ImportError:
    print(json.dumps({"ok": False, "error": "QGIS Python bindings not found: apt-get install -y "
                      "--no-install-recommends qgis python3-qgis, and run with /usr/bin/python3"}))
    sys.exit(2)


def legend_labels(model, node):
    """The legend entries QGIS draws under a layer (class labels, or one ramp)."""
    out = []
    for n in model.layerLegendNodes(node):
        label = n.data(0)
        out.append({"label": label if isinstance(label, str) else "",
                    "kind": type(n).__name__})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("pdf")
    ap.add_argument("--layout", help="layout name (default: the project's first layout)")
    a = ap.parse_args()

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    proj = QgsProject.instance()
    read_ok = proj.read(os.path.abspath(a.project))
    root = proj.layerTreeRoot()
    model = QgsLayerTreeModel(root)
    report = {"project": a.project, "read": bool(read_ok), "title": proj.title(), "layers": []}
    for node in root.findLayers():
        lyr = node.layer()
        entry = {"name": node.name(), "visible": bool(node.isVisible()),
                 "valid": bool(lyr is not None and lyr.isValid()),
                 "group": node.parent().name() if node.parent() is not root else ""}
        entry["legend"] = legend_labels(model, node)
        report["layers"].append(entry)

    manager = proj.layoutManager()
    report["layouts"] = [l.name() for l in manager.printLayouts()]
    layout = manager.layoutByName(a.layout) if a.layout else (
        manager.printLayouts()[0] if manager.printLayouts() else None)
    ok = bool(read_ok) and layout is not None
    if layout is not None:
        page = layout.pageCollection().page(0)
        size = page.pageSize()
        report["layout"] = {"name": layout.name(), "pages": layout.pageCollection().pageCount(),
                            "page_mm": [round(size.width(), 1), round(size.height(), 1)],
                            "items": sorted(type(i).__name__ for i in layout.items()
                                            if type(i).__name__.startswith("QgsLayoutItem")
                                            and type(i).__name__ != "QgsLayoutItemPage")}
        settings = QgsLayoutExporter.PdfExportSettings()
        settings.dpi = 150
        result = QgsLayoutExporter(layout).exportToPdf(os.path.abspath(a.pdf), settings)
        written = os.path.exists(a.pdf)
        report["pdf"] = {"path": a.pdf, "result": int(result), "success": result == QgsLayoutExporter.Success,
                         "bytes": os.path.getsize(a.pdf) if written else 0}
        ok = ok and result == QgsLayoutExporter.Success and written
    report["ok"] = ok
    print(json.dumps(report, ensure_ascii=False, indent=1))
    del model
    proj.clear()  # QGIS 3.22 crashes in exitQgis() unless the project is cleared first
    app.exitQgis()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
