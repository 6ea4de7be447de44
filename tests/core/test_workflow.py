"""The shared workflow core: the table decides, every refusal says why, and a move happens once."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from hsm import workflow
from hsm.extensions import db

STATES = ("a", "b", "c", "d", "e")
PERMISSIONS = ("p1", "p2", "p3")
FACTS = ("f1", "f2", "f3", "f4")


def needs(fact: str) -> workflow.Guard:
    """A guard that blocks the move unless ``fact`` holds (facts: the set of those that do)."""

    def guard(facts: frozenset[str]) -> list[workflow.Reason]:
        return [] if fact in facts else [workflow.Reason(f"no_{fact}", f"{fact} is missing")]

    return guard


# A row of a random table: (source, target, permission, facts its guards need, needs a reason)
rows = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.sampled_from(STATES),
        st.sampled_from(PERMISSIONS),
        st.lists(st.sampled_from(FACTS), max_size=3),
        st.booleans(),
    ).filter(lambda r: r[0] != r[1]),
    unique_by=lambda r: (r[0], r[1]),
    max_size=12,
)
fact_sets = st.frozensets(st.sampled_from(FACTS))
grants = st.frozensets(st.sampled_from(PERMISSIONS))


def build(table) -> workflow.Workflow:
    return workflow.Workflow(
        [
            workflow.Transition(s, t, p, tuple(needs(f) for f in fs), needs_reason=r)
            for s, t, p, fs, r in table
        ],
        order=STATES,
    )


def expected_codes(permission, needed, facts, granted) -> list[str]:
    """The reasons a move should give, written out independently of the core."""
    codes = [] if permission in granted else ["missing_permission"]
    for fact in dict.fromkeys(needed):
        if fact not in facts:
            codes.append(f"no_{fact}")
    return codes


@given(table=rows, state=st.sampled_from(STATES), facts=fact_sets, granted=grants)
def test_available_moves_agree_with_the_table(table, state, facts, granted):
    moves = build(table).available_moves(state, facts, granted)
    from_here = {(t, (p, fs)) for s, t, p, fs, _r in table if s == state for fs in [tuple(fs)]}
    # Every move from the state, each once, in the order of their targets...
    assert sorted(m.target for m in moves) == sorted(t for t, _ in from_here)
    assert [m.target for m in moves] == sorted((m.target for m in moves), key=STATES.index)
    for move in moves:
        [(permission, needed)] = [rule for t, rule in from_here if t == move.target]
        codes = expected_codes(permission, needed, facts, granted)
        # ...allowed exactly when the permission is held and no guard gives a reason...
        assert move.allowed is (permission in granted and all(f in facts for f in needed))
        # ...and every reason named, a missing permission first, each with its words.
        assert [r.code for r in move.reasons] == codes
        assert all(str(r) for r in move.reasons)


@given(
    table=rows,
    source=st.sampled_from(STATES),
    target=st.sampled_from(STATES),
    facts=fact_sets,
    granted=grants,
    reason=st.sampled_from(["", "  ", "Moved to a new job"]),
)
def test_check_refuses_exactly_what_is_not_allowed(table, source, target, facts, granted, reason):
    flow = build(table)
    rule = next(((p, fs, r) for s, t, p, fs, r in table if (s, t) == (source, target)), None)
    if rule is None:
        with pytest.raises(workflow.NotAMove) as refused:
            flow.check(source, target, facts, granted, reason)
        assert refused.value.reasons == ()
        return
    permission, needed, needs_reason = rule
    codes = expected_codes(permission, needed, facts, granted)
    if needs_reason and not reason.strip():
        codes.append("reason_missing")
    if codes:
        with pytest.raises(workflow.Refused) as refused:
            flow.check(source, target, facts, granted, reason)
        assert not isinstance(refused.value, workflow.NotAMove)
        assert [r.code for r in refused.value.reasons] == codes
    else:
        assert flow.check(source, target, facts, granted, reason) is flow.transition(
            source, target
        )


def test_a_table_lists_each_move_once_and_every_move_goes_somewhere():
    with pytest.raises(ValueError, match="twice"):
        workflow.Workflow([workflow.Transition("a", "b", "p"), workflow.Transition("a", "b", "q")])
    with pytest.raises(ValueError, match="nowhere"):
        workflow.Workflow([workflow.Transition("a", "a", "p")])


# --- apply: one conditional UPDATE ----------------------------------------------------------


class _Base(DeclarativeBase):
    pass


class Item(_Base):
    """A throwaway table: the core knows nothing of any area's models."""

    __tablename__ = "workflow_test_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(40))


@pytest.fixture
def items(db):
    _Base.metadata.create_all(db.engine)
    yield
    db.session.rollback()
    _Base.metadata.drop_all(db.engine)


def _new_item(stage: str = "a") -> int:
    with Session(db.engine) as session:
        item = Item(stage=stage)
        session.add(item)
        session.commit()
        return item.id


def test_apply_moves_a_row_that_is_where_the_page_said(items):
    item_id = _new_item("a")
    with Session(db.engine) as session:
        item = session.get(Item, item_id)
        assert workflow.apply(session, item, "b", expected="a", values={"note": "moved"})
        assert (item.stage, item.note) == ("b", "moved")  # the object knows, without a reload
        assert not session.dirty  # already written: nothing left to flush
        session.commit()
    with Session(db.engine) as session:
        assert session.get(Item, item_id).stage == "b"


def test_apply_from_a_stale_page_changes_nothing_and_tells_where_it_is(items):
    item_id = _new_item("a")
    with Session(db.engine) as reader, Session(db.engine) as colleague:
        item = reader.get(Item, item_id)  # the page is drawn...
        reader.commit()
        colleague.get(Item, item_id).stage = "c"  # ...a colleague moves it first...
        colleague.commit()
        # ...and the page's "move from a to b" changes nothing.
        assert not workflow.apply(reader, item, "b", expected="a", values={"note": "late"})
        assert (item.stage, item.note) == ("c", None)
        reader.commit()
    with Session(db.engine) as session:
        assert (session.get(Item, item_id).stage, session.get(Item, item_id).note) == ("c", None)


def test_two_racing_moves_exactly_one_wins(items):
    engine = db.engine  # the threads have no app context
    for _round in range(5):
        item_id = _new_item("a")
        start = threading.Barrier(2, timeout=10)
        results: dict[str, bool] = {}
        errors: list[BaseException] = []

        def race(target: str) -> None:
            try:
                with Session(engine) as session:
                    item = session.get(Item, item_id)  # both read "a"...
                    session.commit()
                    start.wait()  # ...then both move it at once
                    results[target] = workflow.apply(session, item, target, expected="a")
                    session.commit()
            except BaseException as error:  # reported by the test below
                errors.append(error)

        threads = [threading.Thread(target=race, args=(t,)) for t in ("b", "c")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors
        assert sorted(results.values()) == [False, True], results
        [winner] = [t for t, won in results.items() if won]
        with Session(db.engine) as session:
            assert session.get(Item, item_id).stage == winner
