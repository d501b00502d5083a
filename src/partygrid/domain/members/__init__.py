"""Party members (党员): five categories managed five ways, transfers, the mobile ledger."""
