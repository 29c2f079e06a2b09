"""Generates a static web site into /out (stands in for any build step: compiling, bundling...)."""
import datetime
import os

pages = {
    "index.html": "<h1>Built by a multi-stage build</h1><p>The build tools stayed behind.</p>",
    "about.html": "<h1>About</h1><p>Generated at {}.</p>".format(datetime.datetime.now().isoformat()),
}
os.makedirs("/out", exist_ok=True)
for name, html in pages.items():
    with open(os.path.join("/out", name), "w") as f:
        f.write("<!doctype html><html><body>" + html + "</body></html>\n")
print("built", len(pages), "pages")
