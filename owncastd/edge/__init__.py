"""The edge node of a cluster (issue 18): viewer websockets and viewer routes, no database.

An edge holds chat sockets and forwards the origin's frames to them byte for byte; client events
go to the origin over a Redis Stream, and everything else it serves comes from the origin's
public routes with a small cache. The wire contract is the origin's (`owncastd.cluster`);
this package is a composition root of its own (`node.py` builds it), like `daemon.py`.
"""
