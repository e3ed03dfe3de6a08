"""First load of every web admin page: time until its data is shown, and bytes transferred.

A real owncastd (bench config) and Debian's chromium (Playwright). Each page is loaded in a
fresh browser context (empty cache, the admin's Basic credentials given up front, so no 401
round trip), `--runs` times. "ready" is when the page shows its data: its `#app` no longer
holds the loading placeholder (pages with a script), or the `load` event (static pages). The
time is from the navigation start to the first animation frame that shows it
(`performance.now()` read in the page then). Bytes are the sum of every response body the
page fetched (HTML, CSS, modules, API JSON), as the browser received them (loopback, no
compression).
"html ms" is when the page's HTML had fully arrived (Navigation Timing `responseEnd`): the
server's part; the rest is the browser fetching modules and data and rendering.

    .venv/bin/python bench/admin_pages.py [--runs 5]

Budget (issue 12): under 300 ms and 200 KB per page on loopback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._daemon import Owncastd, write_config
from owncastd.http.admin_web.page_map import PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "bench-admin-password"
BUDGET_MS, BUDGET_KB = 300, 200
# Evaluated in the page on every animation frame: the time (from navigation start) at the
# first frame that shows the data.
READY = "() => !document.querySelector('#app .loading') && performance.now()"
LOADED = "() => document.readyState === 'complete' && performance.now()"


def measure(browser: object, url: str, scripted: bool) -> tuple[float, float, int]:
    """One cold load: (ms until ready, ms until the HTML had arrived, bytes of every body)."""
    context = browser.new_context(  # type: ignore[attr-defined]
        http_credentials={"username": "admin", "password": PASSWORD, "send": "always"}
    )
    page = context.new_page()
    sizes: list[int] = []
    page.on("requestfinished", lambda request: sizes.append(request.sizes()["responseBodySize"]))
    page.goto(url, wait_until="commit")
    elapsed = page.wait_for_function(READY if scripted else LOADED, timeout=10_000).json_value()
    html = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    context.close()
    return elapsed, html, sum(sizes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        write_config(data_dir, latency=2, variants="")
        with Owncastd(data_dir) as daemon, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            measure(browser, daemon.url + "/admin/", True)  # warm the daemon's file cache
            print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} cold loads per page")
            worst = True
            blank = [measure(browser, daemon.url + "/static/style.css", False)[0]]
            blank += [measure(browser, daemon.url + "/static/style.css", False)[0]]
            print(f"(browser floor: a bare CSS file loads in {statistics.median(blank):.0f} ms)")
            print(f"{'page':<28} {'median ms':>9} {'max ms':>7} {'html ms':>7} {'KB':>6}  budget")
            for admin_page in PAGES:
                scripted = admin_page.status == "ready" and bool(admin_page.script)
                url = f"{daemon.url}/admin/{admin_page.path}"
                runs = [measure(browser, url, scripted) for _ in range(args.runs)]
                times = [ms for ms, _, _ in runs]
                html = statistics.median(h for _, h, _ in runs)
                kb = max(size for _, _, size in runs) / 1024
                ok = statistics.median(times) < BUDGET_MS and kb < BUDGET_KB
                worst = worst and ok
                name = "/admin/" + admin_page.path
                print(
                    f"{name:<28} {statistics.median(times):>9.0f} {max(times):>7.0f} "
                    f"{html:>7.0f} {kb:>6.1f}  {'ok' if ok else 'OVER'}"
                )
            browser.close()
    return 0 if worst else 1


if __name__ == "__main__":
    raise SystemExit(main())
