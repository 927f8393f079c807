"""The reward formula on hand-made cases: exact to the base unit, caps keep the rest back."""

from __future__ import annotations

from decimal import Decimal

from ledger.rewards import Item, emission, largest_remainder, split

TOKEN = 10**18


def test_the_emission_decays_by_the_factor_every_n_epochs() -> None:
    # given 1000 tokens decaying by 0.9 every 3 epochs
    def schedule(n: int) -> int:
        return emission(n, base=1000 * TOKEN, decay_epochs=3, decay_factor=Decimal("0.9"))

    # then epochs 1-3 emit 1000, 4-6 emit 900, 7 emits 810, exactly
    assert [schedule(n) for n in (1, 3, 4, 6, 7)] == [
        1000 * TOKEN,
        1000 * TOKEN,
        900 * TOKEN,
        900 * TOKEN,
        810 * TOKEN,
    ]
    # and without a decay period the emission never changes
    assert emission(500, base=7, decay_epochs=0, decay_factor=Decimal("0.5")) == 7


def test_leftover_units_go_to_the_largest_remainders_and_the_parts_add_up() -> None:
    # 10 units by 1:1:1 is 3.33 each: one unit is left, and goes to the first on a tie
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    # 1000 by 1:2:4 is 142.86, 285.71, 571.43: the two units left go to .86 and .71
    assert largest_remainder(1000, [1, 2, 4]) == [143, 286, 571]
    assert largest_remainder(5, [0, 0]) == [0, 0]


def test_an_item_over_its_cap_keeps_the_rest_in_the_pool() -> None:
    # given 1000 tokens, an item cap of half, weighted scores 4, 1, 2 by three authors
    items = [
        Item("post", 1, 10, 4, 4, 4),
        Item("post", 2, 20, 3, 1, 1),
        Item("comment", 3, 30, 2, 2, 2),
    ]
    # when split
    lines = split(1000 * TOKEN, items, max_item_share=Decimal("0.5"), max_author_share=Decimal("1"))
    # then the top item gets the cap, the others their exact share, and 71.43 tokens stay back
    assert [(line.share, line.amount) for line in lines] == [
        (571428571428571428571, 500 * TOKEN),
        (142857142857142857143, 142857142857142857143),
        (285714285714285714286, 285714285714285714286),
    ]
    assert sum(line.share for line in lines) == 1000 * TOKEN
    assert 1000 * TOKEN - sum(line.amount for line in lines) == 71428571428571428571


def test_an_author_over_the_cap_gets_the_cap_split_over_their_items() -> None:
    # given 100 units; author 1 has items of score 3 and 1, author 2 one of score 1
    items = [
        Item("post", 1, 1, 3, 3, 3),
        Item("comment", 5, 1, 1, 1, 1),
        Item("post", 2, 2, 1, 1, 1),
    ]
    # when each author may have at most 50% and each item 100%
    lines = split(100, items, max_item_share=Decimal("1"), max_author_share=Decimal("0.5"))
    # then author 1's 60 + 20 become 50, split 3:1 (37.5, 12.5: the unit left to the first)
    amounts = {(line.item.kind, line.item.id): line.amount for line in lines}
    assert amounts == {("post", 1): 38, ("comment", 5): 12, ("post", 2): 20}
    # and the 30 units over the cap are not given to anyone else
    assert sum(amounts.values()) == 70


def test_nothing_scored_nothing_distributed() -> None:
    assert split(100, [], max_item_share=Decimal("1"), max_author_share=Decimal("1")) == []
