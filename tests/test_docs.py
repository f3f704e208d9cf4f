"""Generated documentation pages match the declarations they are generated from."""

from pathlib import Path

from ganlab.configdoc import config_reference

REPO = Path(__file__).resolve().parents[1]


def test_config_reference_up_to_date():
    committed = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert committed == config_reference(), (
        "docs/config.md is out of date: run `python -m ganlab.configdoc > docs/config.md`"
    )


def test_readme_links_exist():
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (REPO / target).exists(), target
