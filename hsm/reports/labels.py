"""The words people read for each choice code of rules.py (lazy, so they follow the locale)."""

from __future__ import annotations

from hsm.i18n import _l

ANONYMITY_REASONS = {
    "retaliation": _l("I am afraid of what might happen if I give my name"),
    "no_formal_action": _l("I do not want formal action to be taken"),
    "not_sure_serious": _l("I am not sure it is serious enough"),
    "not_believed": _l("I am worried I will not be believed"),
    "privacy": _l("I want to keep this private"),
    "other": _l("Another reason"),
}
CONTACT_METHODS = {
    "email": _l("Email"),
    "phone": _l("Phone call"),
    "text": _l("Text message"),
}
ABOUT = {
    "me": _l("It happened to me"),
    "someone_else": _l("It happened to someone else"),
}
CATEGORIES = {
    "mental_health": _l("Mental health, including risk to self"),
    "physical_health": _l("Physical health"),
    "safeguarding": _l("Safeguarding"),
    "bullying": _l("Bullying"),
    "harassment": _l("Harassment"),
    "sexual_domestic_abuse": _l("Sexual or domestic abuse"),
    "discrimination": _l("Discrimination"),
    "other": _l("Something else"),
}
WHEN_KINDS = {
    "date": _l("On a date I know"),
    "approximate": _l("Around a time I can describe"),
    "ongoing": _l("It is still happening"),
    "long_ago": _l("It was a long time ago"),
}
WHERE = {
    "on_campus": _l("At the centre (on campus)"),
    "accommodation": _l("In student accommodation"),
    "online": _l("Online"),
    "elsewhere": _l("Somewhere else"),
}
RESPONDENTS = {
    "student": _l("A student"),
    "staff": _l("A member of staff"),
    "contractor": _l("A contractor"),
    "visitor": _l("A visitor"),
    "third_party": _l("Someone else from outside the centre"),
    "unknown": _l("I do not know, or I would rather not say"),
}
WISHES = {
    "information_only": _l("Let the centre know, for information only"),
    "support": _l("Get support, without any action being taken"),
    "informal_resolution": _l("Try an informal resolution (the other person must agree)"),
    "police": _l("Report it to the police, with support"),
    "sarc": _l("Go to a sexual assault referral centre or a similar local service"),
    "formal_report": _l("Make a formal report about the person involved"),
    "no_action_now": _l("Take no action for now, with advice on keeping evidence"),
    "not_sure": _l("I am not sure yet"),
}
CONSENT = {
    "yes": _l("Yes, you may pass on those notes"),
    "no": _l("No, please do not pass them on"),
    "not_applicable": _l("I have not spoken to Student Services about this"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}

FLAGS = {
    "immediate_danger": _l("Immediate danger"),
    "under_18": _l("Under 18"),
    "staff_respondent": _l("About a staff member"),
    "anonymous": _l("Anonymous"),
    "third_party": _l("Third party"),
}
STATUSES = {
    "new": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "closed": _l("Closed"),
}
HANDLING = {
    "information_only": _l("For information only"),
    "support_requested": _l("Support requested"),
}
URGENCY = {1: _l("Routine"), 2: _l("High"), 3: _l("Urgent")}



def in_locale(mapping: dict) -> dict:
    """``mapping`` with its labels translated once, for a list that shows them on every row
    (a lazy string is translated again each time it is shown)."""
    return {key: str(value) for key, value in mapping.items()}


# What the reporter reads at follow-up (rules.reporter_view_status gives the key).
REPORTER_STATUS = {
    "received": _l("Your report has reached Student Services. Nobody has opened it yet."),
    "read": _l("A member of Student Services has read your report."),
    "assigned": _l("A member of Student Services is looking after your report."),
    "information_only": _l("Your report is recorded for information only, as you asked. "
                           "You can still write to us at any time."),
    "support": _l("Student Services is arranging support. Please read the messages below."),
    "closed": _l("Student Services has finished with this report. "
                 "You can still read the messages below."),
}
