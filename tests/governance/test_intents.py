"""The outbox's table of intent kinds (governance/intents.py): what a writer records is what the
sender reads back, under the key the outbox deduplicates on. No chain needed."""

from __future__ import annotations

import json

import pytest
from web3 import Web3

from governance.intents import KINDS, CastVoteBySig, CreateCommunity, Intent, MintEpoch, TipBySig
from governance.tips import Permit, SignedTip

ALICE = Web3.to_checksum_address("0x" + "a1" * 20)
BOB = Web3.to_checksum_address("0x" + "b2" * 20)
TOKEN = Web3.to_checksum_address("0x" + "c3" * 20)
GOVERNOR = Web3.to_checksum_address("0x" + "d4" * 20)

INTENTS: list[Intent] = [
    CreateCommunity(7, "python", ALICE),
    MintEpoch(7, 1_000, (ALICE, BOB), (5 * 10**18, 1), root=b"\x01" * 32),
    MintEpoch(8, 1_001, (BOB,), (3,), token=TOKEN),
    CastVoteBySig(GOVERNOR, 2**200, 1, BOB, b"\x02" * 65, "because", 4),
    CastVoteBySig(GOVERNOR, 3, 0, BOB, b"\x02" * 65, None, 0),
    TipBySig(
        SignedTip(
            TOKEN,
            ALICE,
            BOB,
            10**18,
            b"\x03" * 32,
            Permit(1_900_000_000, 27, b"r" * 32, b"s" * 32),
            b"\x04" * 65,
        ),
        nonce=2,
    ),
]


@pytest.mark.parametrize("intent", INTENTS, ids=lambda intent: type(intent).__name__)
def test_what_a_writer_records_the_sender_reads_back_as_the_same_intent(intent: Intent) -> None:
    # given the payload as the outbox stores it (jsonb: through JSON)
    stored = json.loads(json.dumps(intent.payload()))
    # when the sender reads it through the table, by the kind recorded beside it
    read = KINDS[type(intent).KIND].from_payload(stored)
    # then it is the same intent, under the same key
    assert read == intent
    assert read.dedupe_key() == intent.dedupe_key()


def test_every_kind_is_in_the_table_under_the_name_the_outbox_records() -> None:
    assert dict(KINDS) == {
        "create_community": CreateCommunity,
        "mint_epoch": MintEpoch,
        "cast_vote_by_sig": CastVoteBySig,
        "tip_by_sig": TipBySig,
    }


def test_the_keys_are_the_outboxs_and_a_mint_without_a_token_gets_its_communitys() -> None:
    assert CreateCommunity(7, "python", ALICE).dedupe_key() == "create_community:7"
    mint = MintEpoch(7, 1_000, (ALICE,), (1,))
    assert mint.dedupe_key() == "mint_epoch:7:1000" == MintEpoch.key_of(7, 1_000)
    # a ballot's key names the governor and the voter in lower case (the outbox ends it with
    # the intent's id)
    ballot = CastVoteBySig(GOVERNOR, 3, 1, BOB, b"\x02" * 65, None, 4)
    assert ballot.dedupe_key() == f"cast_vote_by_sig:{GOVERNOR.lower()}:3:{BOB.lower()}:4"
    # the ledger records a mint by community; the sender sends it to the community's token
    assert "token" not in mint.payload()
    assert mint.with_token(TOKEN.lower()) == MintEpoch(7, 1_000, (ALICE,), (1,), token=TOKEN)


def test_a_malformed_payload_is_refused_not_guessed() -> None:
    with pytest.raises(KeyError):
        MintEpoch.from_payload({"communityId": 7, "epoch": 1, "recipients": [ALICE]})
    with pytest.raises(ValueError):
        CreateCommunity.from_payload({"communityId": 7, "name": "python", "creator": "nobody"})
