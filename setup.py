"""Compiles the kiosk's gettext catalogs (.po -> .mo) whenever the package is built or
installed, so a wheel and an editable install both carry them. Everything else about the
package is in pyproject.toml."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in Path(__file__).parent.glob("screens/locale/*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as source:
                catalog = read_po(source)
            with po_path.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalog)
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogs})
