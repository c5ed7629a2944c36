"""Detect and scope: find whose data was exposed, where, when and to whom."""
