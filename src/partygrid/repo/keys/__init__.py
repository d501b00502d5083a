"""Sealed blobs read and rewritten for key rotation."""
