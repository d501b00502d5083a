"""Use cases of five-type tickets (五件式): intake, the workflow, reads, the catalogue.

The entry points other features call are re-exported here and kept stable.
"""

from partygrid.services.tickets.actions import PERMISSION_OF, act_on_ticket
from partygrid.services.tickets.catalogue import (
    NewCategory,
    create_category,
    get_category,
    list_categories,
    update_category,
)
from partygrid.services.tickets.common import (
    PossibleDuplicate,
    TicketFilters,
    TicketRecord,
    default_calendar,
    working_calendar,
)
from partygrid.services.tickets.intake import IdempotencyKeyReused, NewTicket, submit_ticket
from partygrid.services.tickets.queries import (
    get_ticket,
    get_ticket_by_public_id,
    list_tickets,
    ticket_timeline,
)

__all__ = [
    "PERMISSION_OF",
    "IdempotencyKeyReused",
    "NewCategory",
    "NewTicket",
    "PossibleDuplicate",
    "TicketFilters",
    "TicketRecord",
    "act_on_ticket",
    "create_category",
    "default_calendar",
    "get_category",
    "get_ticket",
    "get_ticket_by_public_id",
    "list_categories",
    "list_tickets",
    "submit_ticket",
    "ticket_timeline",
    "update_category",
    "working_calendar",
]
