"""The board's reads: columns page themselves, filters narrow them, a version token moves with
every change, and the number of queries does not grow with the number of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from hsm.cases import operations as ops
from hsm.cases import queries
from hsm.cases.models import Case, Deadline
from hsm.cases.queries import BoardFilters
from hsm.cases.terms import DeadlineKind, DeadlineState, Marking, Stage
from hsm.extensions import db
from hsm.security import Role
from tests.factories import make_user

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def seed(n: int, centre: str = "uk", stage: Stage = Stage.SUPPORT) -> None:
    """``n`` bare cases (fast): a board only needs the case rows and their deadlines."""
    start = db.session.scalar(sa.select(sa.func.count(Case.id))) or 0
    for i in range(start, start + n):
        at = NOW - timedelta(days=i % 30, minutes=i)
        case = Case(reference=f"C-B{i:07d}", centre=centre, stage=stage, stage_changed_at=at,
                    opened_at=at, immediate_danger=i % 4 == 0, staff_respondent=i % 5 == 0)
        db.session.add(case)
        db.session.flush()
        db.session.add(Deadline(case_id=case.id, kind=DeadlineKind.MEASURE_REVIEW,
                                due_on=date(2026, 11, 10 + i % 20), created_at=at))
    db.session.commit()


def _page_queries(count_queries, actor) -> int:
    with count_queries() as counter:
        queries.column_counts(actor, today=NOW.date())
        queries.board_version(actor, today=NOW.date())
        cards, _cursor = queries.column_page(actor, Stage.SUPPORT, NOW)
        queries.with_moves(actor, cards)
    return counter.count


def test_queries_per_board_do_not_grow_with_the_cases(count_queries):
    director = make_user(Role.SAFEGUARDING_DIRECTOR)
    seed(25)
    small = _page_queries(count_queries, director)
    seed(120)
    assert _page_queries(count_queries, director) == small
    caseworker = make_user((Role.STUDENT_SERVICES, "uk"))
    assert _page_queries(count_queries, caseworker) == small


def test_a_column_pages_itself_and_every_case_appears_once():
    director = make_user(Role.SAFEGUARDING_DIRECTOR)
    seed(45)
    seen, cursor, pages = [], None, 0
    while True:
        cards, cursor = queries.column_page(director, Stage.SUPPORT, NOW, after=cursor)
        assert len(cards) <= queries.COLUMN_PAGE_SIZE
        seen += [c.case.id for c in cards]
        pages += 1
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 45
    assert queries.column_counts(director)[Stage.SUPPORT] == 45


def test_filters_narrow_the_board_and_cards_carry_their_next_deadline():
    director = make_user(Role.SAFEGUARDING_DIRECTOR)
    seed(8, "uk")
    seed(4, "paris")
    assert queries.column_counts(director, BoardFilters(centre="paris"))[Stage.SUPPORT] == 4
    danger = queries.column_counts(director, BoardFilters(flag="immediate_danger"))
    assert danger[Stage.SUPPORT] == 3
    # An unknown flag is ignored rather than trusted.
    assert queries.column_counts(director, BoardFilters(flag="narrative"))[Stage.SUPPORT] == 12
    overdue = queries.column_counts(director, BoardFilters(overdue=True), today=NOW.date())
    assert 0 < overdue[Stage.SUPPORT] < 12
    cards, _ = queries.column_page(director, Stage.SUPPORT, NOW)
    assert all(c.next_deadline is not None and c.deadline_state in set(DeadlineState)
               for c in cards)
    caseworker = make_user((Role.STUDENT_SERVICES, "uk"))
    assert queries.column_counts(caseworker, BoardFilters(mine=True))[Stage.SUPPORT] == 0


def test_the_version_token_moves_with_any_change_to_a_case_on_the_board(make_case, staff):
    case = make_case(Stage.SUPPORT)
    before = queries.board_version(staff.caseworker)
    assert queries.board_version(staff.caseworker) == before
    ops.add_note(staff.caseworker, case, "A note.", Marking.INTERNAL)
    db.session.commit()
    after = queries.board_version(staff.caseworker)
    assert after != before
    cards, _ = queries.column_page(staff.caseworker, Stage.SUPPORT, datetime.now(UTC))
    queries.with_moves(staff.caseworker, cards)
    assert cards[0].assigned == [("caseworker", staff.caseworker)]
    moves = {m.target: m for m in cards[0].moves}
    assert moves[Stage.FORMAL_COMPLAINT].reasons  # blocked, and it says why
    assert not moves[Stage.CLOSED].reasons  # closing only needs its reason, asked by the form


def test_the_whole_board_costs_the_same_whichever_columns_hold_cards(count_queries):
    """Every column's first page comes from one query: an empty column costs nothing more, and
    a board with cards in every stage costs what a board with one busy column costs."""
    director = make_user(Role.SAFEGUARDING_DIRECTOR)
    seed(3, stage=Stage.SUPPORT)

    def board_queries() -> int:
        with count_queries() as counter:
            pages = queries.board_pages(director, NOW)
            queries.with_moves(director, [c for cards, _cursor in pages.values() for c in cards])
        return counter.count

    one_column = board_queries()
    for stage in Stage:
        seed(queries.COLUMN_PAGE_SIZE + 2, stage=stage)
    assert board_queries() == one_column


def test_the_board_pages_are_the_columns_pages():
    director = make_user(Role.SAFEGUARDING_DIRECTOR)
    for n, stage in enumerate(Stage):
        seed(n * 5, stage=stage)
    pages = queries.board_pages(director, NOW)
    for stage in Stage:
        cards, cursor = queries.column_page(director, stage, NOW)
        got, got_cursor = pages[str(stage)]
        assert [c.case.id for c in got] == [c.case.id for c in cards]
        assert [c.next_deadline for c in got] == [c.next_deadline for c in cards]
        assert got_cursor == cursor
    # A column shown from a later page (no JavaScript: "show more" reloads the board).
    first, cursor = queries.column_page(director, Stage.CLOSED, NOW)
    assert cursor is not None
    later = queries.board_pages(director, NOW, after=(str(Stage.CLOSED), cursor))
    expected, _next = queries.column_page(director, Stage.CLOSED, NOW, after=cursor)
    assert [c.case.id for c in later[str(Stage.CLOSED)][0]] == [c.case.id for c in expected]
    assert not {c.case.id for c in first} & {c.case.id for c in expected}
