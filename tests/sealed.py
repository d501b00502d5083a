"""Personal data sealed as the repositories seal it, for tests that write rows directly."""

from __future__ import annotations

from partygrid.config import Environment, Settings
from partygrid.crypto import Keyring
from partygrid.repo.personal_data import ID_NUMBER, id_number_index

# The test settings' keyring: the same keys as conftest's ``keyring`` fixture.
KEYRING = Keyring.from_settings(Settings(environment=Environment.test, database_url=None))


def sealed_id_number(number: str) -> dict[str, bytes]:
    """``id_number_enc`` and ``id_number_hmac`` of a member with this ID number."""
    return {
        "id_number_enc": KEYRING.encrypt(number, ID_NUMBER),
        "id_number_hmac": id_number_index(KEYRING, number),
    }
