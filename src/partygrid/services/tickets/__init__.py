"""Use cases of five-type tickets (五件式): intake, the workflow, reads, work lists,
statistics, deadline monitoring, the service catalogue, the public board and Open311."""
