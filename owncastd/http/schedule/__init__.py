"""Scheduled events over HTTP (develop §5.2): public schedule, ICS, admin CRUD, page fields."""
