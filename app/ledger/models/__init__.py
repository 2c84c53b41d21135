"""The ledger's models, split by concern; import them from here."""
from app.ledger.models.allowance import (  # noqa: F401
    Allowance,
    AllowanceKind,
    AllowanceStatus,
    ExpenseCategory,
)
from app.ledger.models.budget import (  # noqa: F401
    AllowanceRule,
    Budget,
    LedgerEntry,
    LedgerEntryType,
    LedgerIsAppendOnly,
    ProgrammeType,
)
from app.ledger.models.payout import (  # noqa: F401
    BANK_LABELS,
    KOREAN_BANKS,
    bank_label,
    BankAccount,
    BatchStatus,
    PayoutBatch,
)
