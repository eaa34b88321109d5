"""What the newsroom calls an item's urgency and status, marked for translation at display time.

The queue, the archive search and the editor show the same names; the history page has its own
lower-case status names (`history.STATUS_NAMES`), which read as words inside a sentence.
"""

from __future__ import annotations

from newswire.newsroom.i18n import N_

# The urgency filters' choices by name: IPTC urgency 1 is a flash, 2 a bulletin, 3 urgent.
URGENCIES = {"flash": 1, "bulletin": 2, "urgent": 3}
URGENCY_NAMES = {1: N_("Flash"), 2: N_("Bulletin"), 3: N_("Urgent")}
STATUS_NAMES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "scheduled": N_("Scheduled"),
    "published": N_("Published"),
    "killed": N_("Killed"),
}
