"""The HTML report in a real browser: Chromium (headless) opens the pages
written by `ctune search --report` and `ctune report`, and the test checks
that the page logs no console error, that every plot is rendered with a
non-zero bounding box (one mark per candidate), and that a screenshot is
not blank. Skipped, with a message, when Chromium is not installed
(scripts/install-deps.sh installs it for the tests)."""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

CTUNE = os.environ.get("CTUNE_CLI", "ctune")
CHROMIUM = os.environ.get("CTUNE_CHROMIUM") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)

# Inserted into a copy of a page (the report itself has no script): measures
# every plot and writes the numbers into the DOM, which --dump-dom prints.
PROBE = """<script>
(function () {
  var out = [];
  document.querySelectorAll("figure.plot").forEach(function (fig) {
    var svg = fig.querySelector("svg"), r = svg.getBoundingClientRect(), b = svg.getBBox();
    var marks = Array.prototype.map.call(svg.querySelectorAll(".pt"), function (m) {
      var q = m.getBoundingClientRect(); return q.width > 0 && q.height > 0; });
    out.push({id: fig.id, w: r.width, h: r.height, bw: b.width, bh: b.height,
              marks: marks.length, visible_marks: marks.filter(Boolean).length,
              title: (svg.querySelector("title") || {}).textContent || "",
              desc: (svg.querySelector("desc") || {}).textContent || ""});
  });
  var pre = document.createElement("pre");
  pre.id = "ctune-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def chromium(profile, *args, timeout=90):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile,
           "--enable-logging=stderr", "--v=0", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def console_errors(stderr):
    """Lines of Chromium's log that report a page's console message or error."""
    return [l for l in stderr.splitlines()
            if "CONSOLE" in l or "Uncaught" in l or "Failed to load resource" in l]


def png_pixels(path):
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit PNG (stdlib only)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ft == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


# A results file with every optional section, and strings that must be escaped.
def rich_results(path):
    n = 12
    scores = [None if i == 5 else 0.55 + 0.04 * ((i * 7) % 10) for i in range(n)]
    finite = sorted((s for s in scores if s is not None), reverse=True)
    rank = [finite.index(s) + 1 if s is not None else n for s in scores]
    best = scores.index(finite[0])
    cv = {
        "param_act</script>": ["relu", "tanh & <b>", "sigmoid"] * 4,
        "param_lr": [10 ** (-5 + (i % 6)) for i in range(n)],
        "param_nl": [1 + i % 3 for i in range(n)],
        "params": [{} for _ in range(n)],
        "split0_test_score": scores, "split1_test_score": scores,
        "mean_test_score": scores,
        "std_test_score": [None if s is None else 0.01 for s in scores],
        "rank_test_score": rank,
        "iter": [i * 3 // n for i in range(n)],
        "n_resources": [20 * 3 ** (i * 3 // n) for i in range(n)],
        "state": ["pruned" if i == 5 else "done" for i in range(n)],
        "error": ["fit failed: \"</script><script>alert(1)</script>\"" if i == 5 else None
                  for i in range(n)],
    }
    history = [{"candidate": i, "metric": m,
                "values": [round(1 / (1 + e + i), 4) if m == "loss" else 0.5 + 0.03 * e
                           for e in range(8)]}
               for i in range(n) for m in ("loss", "val_accuracy")]
    doc = {"schema": 1, "best_index": best, "best_score": scores[best], "best_params": {},
           "refit_metric": "score", "scorers": ["score"], "n_candidates": n, "n_splits": 2,
           "status": "complete", "cv_results": cv, "history": history}
    with open(path, "w") as f:
        json.dump(doc, f)


@unittest.skipUnless(CHROMIUM, "chromium is not installed: the browser test of the HTML "
                               "report is skipped (scripts/install-deps.sh installs it)")
class ReportBrowserTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ctune_browser_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def profile(self):
        return tempfile.mkdtemp(dir=self.tmp)

    def check_page(self, page, expect_ids, n_cands):
        with open(page, encoding="utf-8") as f:
            html = f.read()
        # 1. no console error while the page loads (the probe is not in it)
        rc, dom, err = chromium(self.profile(), "--dump-dom", "file://" + page)
        self.assertEqual(rc, 0, err[-2000:])
        self.assertIn("ctune search report", dom)
        self.assertEqual(console_errors(err), [])
        # 2. every plot rendered with a non-zero box, every mark visible
        probe = os.path.join(self.tmp, "probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(html.replace("</body>", PROBE + "\n</body>"))
        rc, dom, err = chromium(self.profile(), "--dump-dom", "file://" + probe)
        self.assertEqual(rc, 0, err[-2000:])
        self.assertEqual(console_errors(err), [])
        m = re.search(r'<pre id="ctune-probe">(.*?)</pre>', dom, re.S)
        self.assertIsNotNone(m, "the probe did not run")
        plots = json.loads(m.group(1).replace("&quot;", '"').replace("&lt;", "<")
                           .replace("&gt;", ">").replace("&amp;", "&"))
        ids = [p["id"] for p in plots]
        for want in expect_ids:
            self.assertIn(want, ids)
        self.assertEqual(len(plots), html.count('<figure class="plot"'))
        for p in plots:
            self.assertGreater(p["w"], 0, p)
            self.assertGreater(p["h"], 0, p)
            self.assertGreater(p["bw"], 0, p)
            self.assertGreater(p["bh"], 0, p)
            self.assertTrue(p["title"] and p["desc"], p)
            self.assertEqual(p["marks"], p["visible_marks"], p)
        history = next(p for p in plots if p["id"] == "history")
        self.assertEqual(history["marks"], n_cands)
        # 3. a screenshot that is not blank
        shot = os.path.join(self.tmp, "shot.png")
        rc, _, err = chromium(self.profile(), "--screenshot=" + shot, "--window-size=800,1400",
                              "file://" + page)
        self.assertEqual(rc, 0, err[-2000:])
        self.assertEqual(console_errors(err), [])
        w, h, bpp, rows = png_pixels(shot)
        self.assertEqual((w, h), (800, 1400))
        colours, inked = set(), 0
        for row in rows[::4]:
            for x in range(0, w * bpp, 4 * bpp):
                px = row[x:x + 3]
                colours.add(px)
                inked += px != b"\xff\xff\xff"
        sampled = (h // 4) * (w // 4)
        self.assertGreater(inked / sampled, 0.02, "the screenshot is almost all white")
        self.assertGreater(len(colours), 30, "too few colours: plots not drawn")
        if os.environ.get("CTUNE_KEEP_SCREENSHOT"):
            shutil.copy(shot, os.environ["CTUNE_KEEP_SCREENSHOT"])

    def test_console_errors_are_detected(self):
        """The check of console errors can fail: a page that logs one is caught."""
        page = os.path.join(self.tmp, "bad.html")
        with open(page, "w") as f:
            f.write("<!DOCTYPE html><html><body><script>console.error('probe error');"
                    "</script></body></html>")
        rc, _, err = chromium(self.profile(), "--dump-dom", "file://" + page)
        self.assertEqual(rc, 0)
        self.assertTrue(any("probe error" in l for l in console_errors(err)), err[-2000:])

    def test_search_report(self):
        page = os.path.join(self.tmp, "search.html")
        p = subprocess.run([CTUNE, "search", "--dataset", "iris", "--model", "tree", "--space",
                            "max_depth: 1|2|3|5|8; min_samples_leaf: randint(1, 30); "
                            "criterion: gini|entropy", "--n-iter", "16", "--cv", "3",
                            "--quiet", "--report", page], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_page(page, ["history", "parallel", "slice-0", "slice-1", "slice-2",
                               "importance"], 16)

    def test_report_with_every_section(self):
        results, page = os.path.join(self.tmp, "r.json"), os.path.join(self.tmp, "rich.html")
        rich_results(results)
        p = subprocess.run([CTUNE, "report", results, "-o", page], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_page(page, ["history", "parallel", "importance", "curves-0", "curves-1",
                               "rungs"], 12)

    def test_report_of_a_study(self):
        db, page = os.path.join(self.tmp, "s.db"), os.path.join(self.tmp, "study.html")
        p = subprocess.run([CTUNE, "search", "--dataset", "iris", "--model", "tree", "--space",
                            "max_depth: 1|2|3|5|8; min_samples_leaf: randint(1, 30); "
                            "criterion: gini|entropy", "--n-iter", "12", "--cv", "3",
                            "--quiet", "--study", db], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([CTUNE, "report", db, "-o", page], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check_page(page, ["history", "parallel", "slice-0", "slice-1", "slice-2",
                               "importance"], 12)
        if os.environ.get("CTUNE_TEST_HOOKS") != "1":
            return
        # a study in progress (killed after 20 of its 36 tasks)
        db2 = os.path.join(self.tmp, "s2.db")
        env = dict(os.environ, CTUNE_TEST_STUDY_KILL="20:after")
        p = subprocess.run([CTUNE, "search", "--dataset", "iris", "--model", "tree",
                            "--n-iter", "12", "--cv", "3", "--quiet", "--study", db2],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, -9, p.stderr)
        p = subprocess.run([CTUNE, "report", db2, "-o", page], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("study in progress: 20 of 36 tasks done", html)
        self.assertIn('class="pt incomplete"', html)
        self.check_page(page, ["history", "parallel"], 12)

    def test_report_of_a_pruned_search(self):
        results, page = os.path.join(self.tmp, "p.json"), os.path.join(self.tmp, "pruned.html")
        p = subprocess.run([CTUNE, "search", "--dataset", "iris", "--no-scale", "--pruner",
                            "sha", "--max-epochs", "9", "--n-iter", "10", "--space",
                            "learning_rate: loguniform(0.0001, 0.1); nn: 4|8",
                            "--results", results, "--quiet"], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([CTUNE, "report", results, "-o", page], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(page, encoding="utf-8") as f:
            self.assertIn('class="pt pruned"', f.read())
        self.check_page(page, ["history", "parallel", "slice-0", "rungs"], 10)

    def test_report_of_halving_and_hyperband(self):
        for name, extra in (("halving", ["--strategy", "halving", "--resource", "epochs",
                                         "--max-resources", "9", "--n-candidates", "9"]),
                            ("hyperband", ["--strategy", "hyperband", "--max-epochs", "9"])):
            results = os.path.join(self.tmp, name + ".json")
            page = os.path.join(self.tmp, name + ".html")
            p = subprocess.run([CTUNE, "search", "--dataset", "iris", *extra, "--space",
                                "learning_rate: 0.01|0.03|0.1; nn: 4|8|16", "--results",
                                results, "--report", page, "--quiet"], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(results) as f:
                n = json.load(f)["n_candidates"]
            self.check_page(page, ["history", "parallel", "rungs"], n)


if __name__ == "__main__":
    unittest.main()
