"""Who is told about a new report, and how: a plain rule, no database and no mail.

Student Services hears of every report at its centre. An urgent report (someone in immediate
danger, or a reporter under 18) is escalated at once to the Centre Director and the
Safeguarding Director too. A report about a member of staff is taken forward with the People
Team (policy 2.2 and 4.3); its urgent alert goes to the People Team and the Safeguarding
Director, never to the Centre Director, who may be the person it is about.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Audience(enum.StrEnum):
    STUDENT_SERVICES = "student_services"
    CENTRE_DIRECTOR = "centre_director"
    SAFEGUARDING_DIRECTOR = "safeguarding_director"
    PEOPLE_TEAM = "people_team"


class Kind(enum.StrEnum):
    NEW = "new"  # "A new report has arrived"
    URGENT = "urgent"  # "An urgent report has arrived": read it now


@dataclass(frozen=True)
class Alert:
    audience: Audience
    kind: Kind


def is_urgent(*, immediate_danger: bool, under_18: bool) -> bool:
    return immediate_danger or under_18


def alerts_for(*, immediate_danger: bool, under_18: bool, staff_respondent: bool) -> list[Alert]:
    """The alerts a new report sends, one per audience."""
    urgent = is_urgent(immediate_danger=immediate_danger, under_18=under_18)
    if staff_respondent:
        if urgent:
            return [
                Alert(Audience.STUDENT_SERVICES, Kind.NEW),
                Alert(Audience.PEOPLE_TEAM, Kind.URGENT),
                Alert(Audience.SAFEGUARDING_DIRECTOR, Kind.URGENT),
            ]
        return [Alert(Audience.STUDENT_SERVICES, Kind.NEW), Alert(Audience.PEOPLE_TEAM, Kind.NEW)]
    if urgent:
        return [
            Alert(Audience.STUDENT_SERVICES, Kind.URGENT),
            Alert(Audience.CENTRE_DIRECTOR, Kind.URGENT),
            Alert(Audience.SAFEGUARDING_DIRECTOR, Kind.URGENT),
        ]
    return [Alert(Audience.STUDENT_SERVICES, Kind.NEW)]
