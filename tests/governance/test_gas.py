"""Gas stays within its targets (the table itself: `python -m governance.gas_report`)."""

from __future__ import annotations

import pytest
from web3 import Web3

from governance.deploy import Deployment
from governance.gas_report import COMMUNITY_CREATION_TARGET, FLOOR_TOLERANCE, TIP_TARGET, measure

pytestmark = pytest.mark.chain


def test_gas_stays_within_its_targets(w3: Web3, deployment: Deployment, operator_key: str) -> None:
    # when
    figures = {
        figure.operation: figure for figure in measure(w3, deployment, operator_key, batch=20)
    }

    # then
    creation = figures["create a community (token and governor clones, registry)"]
    assert creation.gas <= COMMUNITY_CREATION_TARGET
    for operation in (
        "epoch mint, per recipient, new holder",
        "epoch mint, per recipient, existing holder",
    ):
        over = figures[operation].over_floor
        assert over is not None and over <= FLOOR_TOLERANCE, (operation, figures[operation])
    assert figures["tip an author (tip, approved before)"].gas <= TIP_TARGET
