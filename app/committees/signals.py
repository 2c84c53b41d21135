"""Signals other domains listen to: the ledger builds allowances on ``meeting_attended``."""
from blinker import Namespace

_signals = Namespace()

# Sent with the new MeetingAttendance row, inside the recording service's transaction.
meeting_attended = _signals.signal("committee-meeting-attended")
