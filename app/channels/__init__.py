"""Notification channels (issue 19): mail and text messages."""
