"""Accounts of people and partner systems: who may change whose access, password rules,
request signatures."""
