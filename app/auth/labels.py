from flask_babel import lazy_gettext as _l

from app.auth.models import ConsentItem, Role

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.STAFF: _l("Staff"),
    Role.ADMIN: _l("Administrator"),
}

CONSENT_LABELS = {
    ConsentItem.PRIVACY: _l("Privacy policy (required)"),
    ConsentItem.NOTIFICATIONS: _l("Notifications"),
    ConsentItem.LOCATION: _l("Location data"),
    ConsentItem.HEALTH: _l("Health data (steps)"),
    ConsentItem.GUARDIAN: _l("Guardian's consent"),
}
