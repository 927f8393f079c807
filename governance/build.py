"""Compiles the governance contracts into `governance/artifacts/` with the npm `solc` package.

    python -m governance.build           # (re)write the artifacts
    python -m governance.build --check   # fail if the committed artifacts differ from a compile

Needs `npm ci --prefix governance` first: solc and OpenZeppelin are pinned in
`governance/package.json`. The compile is plain standard JSON, so its output depends only on the
sources, the pinned packages and the settings below; artifacts are written with sorted keys to
keep them byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from typing import Any

from governance import (
    ARTIFACTS_DIR,
    CONTRACT_NAMES,
    CONTRACTS_DIR,
    ERRORS_ARTIFACT,
    GOVERNANCE_DIR,
    NODE_MODULES,
)

SOLC_DRIVER = GOVERNANCE_DIR / "solc-standard-json.cjs"

SETTINGS: dict[str, Any] = {
    "evmVersion": "prague",
    "optimizer": {"enabled": True, "runs": 200},
    "viaIR": False,
}


class BuildError(RuntimeError):
    """The compiler could not be run or reported errors."""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not installed; it runs the npm solc compiler")
    if not (NODE_MODULES / "solc" / "soljson.js").exists():
        raise BuildError("the npm solc package is missing: run `npm ci --prefix governance`")
    return node


def solc_version() -> str:
    """The full version of the pinned solc, e.g. `0.8.37+commit.f401782d.Emscripten.clang`."""
    result = subprocess.run(
        [_node(), str(SOLC_DRIVER), "--version"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def standard_json_input() -> dict[str, Any]:
    """The compiler's standard-JSON input: our sources; imports resolve in node_modules."""
    sources = {
        f"contracts/{path.name}": {"content": path.read_text()}
        for path in sorted(CONTRACTS_DIR.glob("*.sol"))
    }
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            **SETTINGS,
            "outputSelection": {
                # ABIs of everything (for the errors), bytecode of our contracts only.
                "*": {"*": ["abi"]},
                **{
                    source: {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
                    for source in sources
                },
            },
        },
    }


def compile_contracts() -> dict[str, Any]:
    """Runs solc and returns its standard-JSON output; raises `BuildError` on compile errors."""
    result = subprocess.run(
        [_node(), str(SOLC_DRIVER)],
        input=json.dumps(standard_json_input()),
        capture_output=True,
        text=True,
        cwd=GOVERNANCE_DIR,
    )
    if result.returncode != 0:
        raise BuildError(f"solc failed: {result.stderr.strip()}")
    output: dict[str, Any] = json.loads(result.stdout)
    problems = output.get("errors", [])
    for problem in problems:
        # OpenZeppelin's own warnings are not ours to fix; show those about our sources.
        ours = problem.get("sourceLocation", {}).get("file", "contracts/").startswith("contracts/")
        if problem["severity"] != "error" and ours:
            print(problem["formattedMessage"], file=sys.stderr)
    errors = [p["formattedMessage"] for p in problems if p["severity"] == "error"]
    if errors:
        raise BuildError("\n".join(errors))
    return output


def artifacts_from(output: dict[str, Any], compiler: str) -> dict[str, dict[str, Any]]:
    """The artifacts to write, by name: one per deployed contract, and `errors`."""
    artifacts: dict[str, dict[str, Any]] = {}
    errors: dict[str, dict[str, Any]] = {}
    for source_name, contracts in output["contracts"].items():
        for contract_name, contract in contracts.items():
            for entry in contract["abi"]:
                if entry["type"] == "error":
                    signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
                    errors.setdefault(signature, entry)
            if contract_name in CONTRACT_NAMES and source_name.startswith("contracts/"):
                artifacts[contract_name] = {
                    "contractName": contract_name,
                    "sourceName": source_name,
                    "abi": contract["abi"],
                    "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
                    "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
                    "compiler": {"version": compiler, "settings": SETTINGS},
                }
    missing = set(CONTRACT_NAMES) - artifacts.keys()
    if missing:
        raise BuildError(f"contracts not found in the compiler's output: {sorted(missing)}")
    artifacts[ERRORS_ARTIFACT] = {
        "contractName": ERRORS_ARTIFACT,
        "abi": [errors[signature] for signature in sorted(errors)],
        "bytecode": "0x",
        "compiler": {"version": compiler, "settings": SETTINGS},
    }
    return artifacts


def render(artifact: dict[str, Any]) -> str:
    """An artifact's file content: sorted keys, two-space indent, a final newline."""
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def build() -> dict[str, str]:
    """Compiles the contracts and returns each artifact's file content, by file name."""
    artifacts = artifacts_from(compile_contracts(), solc_version())
    return {f"{name}.json": render(artifact) for name, artifact in sorted(artifacts.items())}


def stale_artifacts(files: dict[str, str]) -> list[str]:
    """The artifact files whose committed content differs from `files` (or is missing)."""
    committed = (
        {path.name for path in ARTIFACTS_DIR.glob("*.json")} if ARTIFACTS_DIR.exists() else set()
    )
    stale = sorted(committed - files.keys())
    for name, content in files.items():
        path = ARTIFACTS_DIR / name
        if not path.exists() or path.read_text() != content:
            stale.append(name)
    return sorted(stale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m governance.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed artifacts, write nothing"
    )
    args = parser.parse_args(argv)
    try:
        files = build()
    except BuildError as error:
        print(error, file=sys.stderr)
        return 2
    if args.check:
        stale = stale_artifacts(files)
        if stale:
            print(
                f"stale artifacts, run `python -m governance.build`: {', '.join(stale)}",
                file=sys.stderr,
            )
            return 1
        print(f"{len(files)} artifacts up to date")
        return 0
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    for path in ARTIFACTS_DIR.glob("*.json"):
        if path.name not in files:
            path.unlink()
    for name, content in files.items():
        (ARTIFACTS_DIR / name).write_text(content)
    print(f"wrote {len(files)} artifacts to {ARTIFACTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
