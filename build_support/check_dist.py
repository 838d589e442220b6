"""Check a release's wheel and sdist: the pages, the licence and nothing else large inside.

    python build_support/check_dist.py dist

Prints a summary of the wheel's listing; exits non-zero, saying what is wrong, otherwise.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

STATIC = "saleor_notify_plugin/dashboard/static/"
_ASSET = re.compile(r"""(?:src|href)="\./(assets/[^"]+)\"""")
_FONT_URL = re.compile(r"url\(\./([^)]+\.woff2?)\)")
#: The pages' font faces in use (see MANIFEST.in); any other font file is dead weight.
USED_FONTS = re.compile(r"^Inter-(roman|italic)\.var-[\w-]+\.woff2$")


def problems_in(names: dict[str, bytes | None], what: str) -> list[str]:
    """``names``: path inside the package root -> content (for the files whose content matters)."""
    problems = []
    index = names.get(STATIC + "index.html")
    if index is None:
        return [f"{what}: the dashboard pages are missing ({STATIC}index.html)"]
    for asset in _ASSET.findall(index.decode()):
        if STATIC + asset not in names:
            problems.append(f"{what}: {asset} named by index.html is missing")
    fonts = [n for n in names if n.endswith((".woff", ".woff2"))]
    unused = [n for n in fonts if not USED_FONTS.match(n.rsplit("/", 1)[-1])]
    if unused:
        problems.append(f"{what}: {len(unused)} font files the pages do not use, e.g. {unused[0]}")
    if len(fonts) != 2:
        problems.append(f"{what}: expected the two variable Inter fonts, found {len(fonts)} font files")
    for name, content in names.items():
        if name.endswith(".css") and content is not None:
            for url in _FONT_URL.findall(content.decode()):
                if USED_FONTS.match(url.rsplit("/", 1)[-1]) and STATIC + "assets/" + url not in names:
                    problems.append(f"{what}: the stylesheet's {url} is missing")
    if not any(n.startswith("saleor_notify_plugin/schemas/examples/") for n in names):
        problems.append(f"{what}: the payload examples are missing")
    return problems


def _wanted(name: str) -> bool:
    return name.endswith((".html", ".css"))


def check_wheel(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as wheel:
        infos = wheel.infolist()
        names = {i.filename: (wheel.read(i) if _wanted(i.filename) else None) for i in infos}
    problems = problems_in(names, path.name)
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        problems.append(f"{path.name}: no LICENSE in the dist-info")
    by_kind: Counter[str] = Counter()
    size_by_kind: Counter[str] = Counter()
    for info in infos:
        kind = info.filename.rsplit(".", 1)[-1] if "." in info.filename.rsplit("/", 1)[-1] else "(none)"
        by_kind[kind] += 1
        size_by_kind[kind] += info.file_size
    print(f"{path.name}: {path.stat().st_size / 1024:.0f} kB, {len(infos)} files")
    for kind, count in by_kind.most_common():
        print(f"  {count:4d} .{kind:<7} {size_by_kind[kind] / 1024:8.1f} kB uncompressed")
    return problems


def check_sdist(path: Path) -> list[str]:
    with tarfile.open(path) as sdist:
        members = [m for m in sdist.getmembers() if m.isfile()]
        root = members[0].name.split("/", 1)[0] + "/"
        names = {
            m.name[len(root):]: (sdist.extractfile(m).read() if _wanted(m.name) else None)  # type: ignore[union-attr]
            for m in members
        }
    problems = problems_in(names, path.name)
    for required in ("LICENSE", "README.md", "pyproject.toml", "build_support/notify_build_backend.py"):
        if required not in names:
            problems.append(f"{path.name}: {required} is missing")
    print(f"{path.name}: {path.stat().st_size / 1024:.0f} kB, {len(names)} files")
    return problems


def main(argv: list[str]) -> int:
    dist = Path(argv[1] if len(argv) > 1 else "dist")
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"check_dist: expected one wheel and one sdist in {dist}, found {wheels + sdists}", file=sys.stderr)
        return 1
    problems = check_wheel(wheels[0]) + check_sdist(sdists[0])
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
