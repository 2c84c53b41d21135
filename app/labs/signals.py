"""Signals other packages subscribe to, so labs never imports money or certificate code.

Both are sent inside the caller's transaction after the change is flushed: whatever a
receiver adds commits or rolls back with it.
"""
import blinker

_signals = blinker.Namespace()

# sent with the new Attendance row
attendance_recorded = _signals.signal("attendance-recorded")
# sent with the Lab that was just closed
lab_closed = _signals.signal("lab-closed")
