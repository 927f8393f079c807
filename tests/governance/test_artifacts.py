"""The committed artifacts are what the pinned compiler makes of the sources."""

from __future__ import annotations

from governance import ARTIFACTS_DIR, CONTRACT_NAMES, load_artifact
from governance.build import build, stale_artifacts


def test_the_committed_artifacts_match_a_fresh_compile() -> None:
    # when
    files = build()

    # then
    assert stale_artifacts(files) == [], (
        "run `python -m governance.build` and commit governance/artifacts"
    )


def test_every_deployed_contract_has_an_abi_and_bytecode() -> None:
    for name in CONTRACT_NAMES:
        artifact = load_artifact(name)
        assert artifact["abi"] and len(artifact["bytecode"]) > 1_000, name
    assert (ARTIFACTS_DIR / "errors.json").exists()
