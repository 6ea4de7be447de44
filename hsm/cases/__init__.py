"""The case procedure (Appendix A): a concern carried from its first report to its closure.

- ``terms``: the policy's vocabularies (stages, party types, measures, ...) and their labels;
- ``models``: the tables;
- ``workflow``: the stages and moves, with their permissions and reason-giving guards (pure);
- ``deadlines``: working-day and calendar-day deadlines at each centre (pure);
- ``queries``: who sees which case (one scope, one loader), facts, sections, deadlines lists;
- ``operations``: every write, with an explicit actor, audited;
- ``notifications``: who is emailed about a case (counts and links only);
- ``reminders``: the daily reminder emails (``flask hsm reminders``);
- ``demo``: the demo cases.
"""
